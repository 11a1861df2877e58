/**
 * The workbench's own services, used by front ends (CLI, GUI): the registry of extension points
 * and their providers, and the experiment runner. Plugins do not need this package.
 */
@Version("1.2.0")
@Export
package org.polytopelens.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
