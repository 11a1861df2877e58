package org.polytopelens.launcher;

import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * {@code bin/workbench}: boots the workbench, runs one command line through the CLI bundle's
 * {@link org.polytopelens.launch.Application} service, stops, and exits with its code.
 *
 * <p>Launcher options (anywhere before {@code --}): {@code --features a,b} selects the features
 * instead of {@code features=} in {@code etc/workbench.properties} (also {@code WORKBENCH_FEATURES}).
 * System properties: {@code workbench.home} (else the directory above the launcher's jar),
 * {@code workbench.cwd} (else {@code user.dir}), {@code workbench.timing=true} (or {@code
 * WORKBENCH_TIMING=1}) prints on stderr, once stopped, when the workbench was ready, the command
 * done and the framework stopped, in ms since the JVM started.
 *
 * <p>Exit codes besides the command's own: 2 the workbench could not start, 3 the command line
 * service did not appear.
 */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        // Taken before the framework starts: Gogo replaces System.out/err with its thread-routed
        // streams, and a shell session writing to those would write to itself.
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        List<String> features = null;
        List<String> rest = new ArrayList<>();
        boolean literal = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (literal) {
                rest.add(a);
            } else if (a.equals("--")) {
                literal = true;
                rest.add(a);
            } else if (a.equals("--features") && i + 1 < args.length) {
                features = Workbench.split(args[++i]);
            } else if (a.startsWith("--features=")) {
                features = Workbench.split(a.substring("--features=".length()));
            } else {
                rest.add(a);
            }
        }
        String env = System.getenv("WORKBENCH_FEATURES");
        if (features == null && env != null && !env.isBlank()) {
            features = Workbench.split(env);
        }
        Path cwd = Path.of(System.getProperty("workbench.cwd", System.getProperty("user.dir"))).toAbsolutePath();
        Workbench.Options options = Workbench.Options.defaults()
                .withFeatures(features)
                .withWorkingDirectory(cwd);
        Workbench workbench;
        try {
            workbench = Workbench.start(home(), options, jvmStart);
        } catch (Exception e) {
            err.println("workbench: cannot start the OSGi framework: " + Diagnostics.describe(e));
            return 2;
        }
        int code;
        long done = -1;
        try {
            code = workbench.execute(in, out, err, rest.toArray(String[]::new));
            done = ManagementFactory.getRuntimeMXBean().getUptime();
        } catch (TimeoutException e) {
            err.println("workbench: " + e.getMessage());
            code = 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 130;
        }
        try {
            workbench.close();
        } catch (Exception e) {
            err.println("workbench: error while stopping: " + Diagnostics.describe(e));
        }
        if (done >= 0 && (Boolean.getBoolean("workbench.timing") || "1".equals(System.getenv("WORKBENCH_TIMING")))) {
            err.println("workbench: ready " + workbench.readyMillis() + " ms after JVM start; command done at " + done + " ms, stopped at "
                    + ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
        }
        return code;
    }

    /** {@code workbench.home}, else the parent of the {@code lib/} directory holding this jar. */
    static Path home() {
        String prop = System.getProperty("workbench.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("").toAbsolutePath();
        }
    }
}
