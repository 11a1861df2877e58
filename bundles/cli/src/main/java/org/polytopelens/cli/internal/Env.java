package org.polytopelens.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.launch.Launch;

/**
 * What commands need: the framework, the core services (possibly absent), the launch, and the
 * streams of the caller (the process's, or a Gogo session's for {@code wb}).
 */
record Env(BundleContext context, Supplier<ExtensionRegistry> registry, Supplier<ExperimentRunner> runner,
        Supplier<ServiceComponentRuntime> scr, Launch launch, InputStream in, PrintStream out, PrintStream err) {

    ExtensionRegistry requireRegistry() {
        ExtensionRegistry r = registry.get();
        if (r == null) {
            throw new IllegalStateException("the workbench core (bundle org.polytopelens.core) is not running; "
                    + "see 'workbench plugins' for the reason");
        }
        return r;
    }

    ExperimentRunner requireRunner() {
        ExperimentRunner r = runner.get();
        if (r == null) {
            throw new IllegalStateException("the experiment runner (bundle org.polytopelens.core) is not running; "
                    + "see 'workbench plugins' for the reason");
        }
        return r;
    }

    /** A path from the command line, relative to the caller's working directory. */
    Path resolve(Path p) {
        return launch.workingDirectory().resolve(p).normalize();
    }
}
