package org.polytopelens.gui.internal;

import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;

/**
 * What the window works with: the core's registry and runner, the OSGi framework (null outside
 * OSGi: then the Plugins view shows extension points only) and the workbench's directories.
 *
 * @param problems bundle id to what is wrong with it (the launcher's diagnosis), recomputed per call
 */
public record Services(ExtensionRegistry registry, ExperimentRunner runner, BundleContext bundles, Path dataDirectory, Path pluginsDirectory,
        Path workingDirectory, java.util.function.Supplier<Map<Long, String>> problems) {
    /** Where the window keeps its state. */
    Path stateFile() {
        return dataDirectory.resolve("gui").resolve("state.json");
    }

    /** Where runs started from the window go (one directory per run). */
    Path runsDirectory() {
        return dataDirectory.resolve("runs");
    }
}
