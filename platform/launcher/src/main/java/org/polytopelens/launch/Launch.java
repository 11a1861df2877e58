package org.polytopelens.launch;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the launcher tells the application about this launch. */
public interface Launch {
    /** The distribution's root (with bin/, bundles/, plugins/, etc/, data/). */
    Path home();

    /** Writable data directory (caches, state): {@code home()/data} unless overridden. */
    Path dataDirectory();

    /** The directory watched for hot-deployed plugin jars. */
    Path pluginsDirectory();

    /** The directory from which relative paths on the command line are resolved. */
    Path workingDirectory();

    PrintStream out();

    PrintStream err();

    InputStream in();

    /** Every feature the launcher knows (from etc/features), installed or not. */
    List<FeatureStatus> features();

    /** Milliseconds from JVM start until the workbench was ready (every bundle started). */
    long readyMillis();

    /**
     * What is wrong with bundles right now, by bundle id (only bundles with a problem): requirements
     * no bundle provides, failed starts, DS components whose activation threw. Computed on each
     * call, so hot-deployed plugins that come and go are reflected. Several reasons of one bundle
     * are joined by {@code "; "}.
     */
    Map<Long, String> bundleProblems();

    /** A feature and what became of it in this launch. */
    record FeatureStatus(String id, String name, String description, boolean installed, List<String> bundles, List<String> problems) {
        public FeatureStatus {
            bundles = List.copyOf(bundles);
            problems = List.copyOf(problems);
        }
    }
}
