/**
 * The contract between the launcher (outside the OSGi framework) and the command-line bundle
 * (inside it). The launcher exports this package from the system bundle; the CLI bundle
 * registers an {@link org.polytopelens.launch.Application} service, and the launcher calls it
 * with the command line once the workbench is ready.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package org.polytopelens.launch;
