package org.polytopelens.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.polytopelens.launch.Launch;

/** The process's launch seen from a Gogo session: the session's streams instead of the process's. */
final class ShellLaunch {
    private ShellLaunch() {}

    static Launch wrap(Launch l) {
        return new Launch() {
            @Override
            public Path home() {
                return l.home();
            }

            @Override
            public Path dataDirectory() {
                return l.dataDirectory();
            }

            @Override
            public Path pluginsDirectory() {
                return l.pluginsDirectory();
            }

            @Override
            public Path workingDirectory() {
                return l.workingDirectory();
            }

            @Override
            public PrintStream out() {
                return System.out;
            }

            @Override
            public PrintStream err() {
                return System.err;
            }

            @Override
            public InputStream in() {
                return System.in;
            }

            @Override
            public List<FeatureStatus> features() {
                return l.features();
            }

            @Override
            public java.util.Map<Long, String> bundleProblems() {
                return l.bundleProblems();
            }

            @Override
            public long readyMillis() {
                return l.readyMillis();
            }
        };
    }
}
