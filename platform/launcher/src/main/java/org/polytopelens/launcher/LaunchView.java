package org.polytopelens.launcher;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.polytopelens.launch.Launch;

/** One command line's view of the launch: the workbench's facts plus this call's streams. */
record LaunchView(Path home, Path dataDirectory, Path pluginsDirectory, Path workingDirectory, PrintStream out,
        PrintStream err, InputStream in, List<FeatureStatus> features, long readyMillis,
        Supplier<Map<Long, String>> problems) implements Launch {

    @Override
    public Map<Long, String> bundleProblems() {
        return problems.get();
    }
}
