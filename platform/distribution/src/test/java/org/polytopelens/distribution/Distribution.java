package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.polytopelens.launcher.Workbench;

/** The assembled distribution and helpers shared by the integration tests. */
final class Distribution {
    /** target/workbench, assembled in prepare-package. */
    static final Path DIST = Path.of(System.getProperty("workbench.dist", "target/workbench")).toAbsolutePath();
    static final Path PLUGINS = Path.of(System.getProperty("workbench.itest.plugins", "target/itest-plugins")).toAbsolutePath();
    static final Path WORK = Path.of(System.getProperty("workbench.itest.dir", "target/itest")).toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Extension points that the default features (core, coders, onnx) serve. */
    static final List<String> SERVED_EXTENSION_POINTS = List.of(
            "org.polytopelens.api.ModelBackend",
            "org.polytopelens.api.ActivationCoder",
            "org.polytopelens.api.DatasetProvider",
            "org.polytopelens.api.Analysis",
            "org.polytopelens.api.ClusteringAlgorithm",
            "org.polytopelens.api.Visualizer",
            "org.polytopelens.api.Reporter",
            "org.polytopelens.api.Trainer");

    private Distribution() { }

    /**
     * A private copy of the distribution for one test class (bin, lib, bundles, etc; empty data
     * and plugins), so tests share no framework cache or plugins. Jars are hard-linked.
     */
    static Path copy(String name) throws IOException {
        if (!Files.isDirectory(DIST.resolve("bundles"))) {
            fail("no distribution at " + DIST + ": run `mvn -B verify` (it assembles it in prepare-package)");
        }
        Path home = WORK.resolve(name);
        delete(home);
        for (String dir : List.of("bin", "lib", "bundles", "etc")) {
            copyTree(DIST.resolve(dir), home.resolve(dir));
        }
        Files.createDirectories(home.resolve("plugins"));
        Files.createDirectories(home.resolve("data"));
        home.resolve("bin/workbench").toFile().setExecutable(true);
        return home;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (p.toString().endsWith(".jar")) {
                    try {
                        Files.createLink(target, p);
                    } catch (IOException | UnsupportedOperationException e) {
                        if (e instanceof FileAlreadyExistsException) {
                            throw e;
                        }
                        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A test plugin jar: example, broken.imports, broken.activate. */
    static Path testPlugin(String name) {
        return PLUGINS.resolve("org.polytopelens.itest." + name + ".jar");
    }

    /** Drops {@code jar} into {@code home/plugins} in one atomic move (never a half-written jar). */
    static Path deploy(Path home, Path jar) throws IOException {
        Path staging = home.resolve("data").resolve(jar.getFileName() + ".staging");
        Files.copy(jar, staging, StandardCopyOption.REPLACE_EXISTING);
        Path target = home.resolve("plugins").resolve(jar.getFileName());
        return Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Polls {@code probe} every 20 ms until it returns non-null; fails with {@code what} after {@code limit}. */
    static <T> T await(Duration limit, String what, Supplier<T> probe) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > end) {
                fail("not within " + limit.toMillis() + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    static boolean isFragment(Bundle b) {
        BundleRevision r = b.adapt(BundleRevision.class);
        return r != null && (r.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /** Every bundle is ACTIVE (fragments RESOLVED), except those named; the message lists why not. */
    static void assertAllActive(Workbench wb, String... except) {
        List<String> bad = new ArrayList<>();
        for (Bundle b : wb.systemContext().getBundles()) {
            if (List.of(except).contains(b.getSymbolicName())) {
                continue;
            }
            int expected = isFragment(b) ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() != expected) {
                bad.add(b.getSymbolicName() + " [" + b.getBundleId() + "] state " + b.getState() + ": "
                        + wb.bundleProblems().get(b.getBundleId()));
            }
        }
        assertEquals(List.of(), bad, "bundles not ACTIVE");
    }

    /** Runs {@code plugins --json} in-process and parses its output. */
    static JsonNode pluginsJson(Workbench wb) throws Exception {
        Workbench.Execution r = wb.execute("plugins", "--json");
        assertEquals(0, r.exitCode(), () -> "plugins --json failed: " + r.err());
        return JSON.readTree(r.out());
    }

    /** Provider ids listed by {@code plugins --json} for the extension point with {@code interfaceName}. */
    static List<String> providerIds(JsonNode plugins, String interfaceName) {
        List<String> ids = new ArrayList<>();
        for (JsonNode ep : plugins.path("extensionPoints")) {
            if (interfaceName.equals(ep.path("interface").asText())) {
                ep.path("providers").forEach(p -> ids.add(p.path("id").asText()));
            }
        }
        return ids;
    }

    /** A Maven build run as a user would: its exit code and its whole log. */
    record MavenBuild(int exitCode, String log) {}

    /** Runs {@code mvn -B -o <args>} in {@code dir} (the local repository of this build, if set). */
    static MavenBuild mvn(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-o"));
        cmd.addAll(List.of(args));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        Path log = dir.resolve("build.log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(4, java.util.concurrent.TimeUnit.MINUTES), "mvn " + List.of(args) + " in " + dir + " finished");
        return new MavenBuild(p.exitValue(), Files.readString(log, java.nio.charset.StandardCharsets.UTF_8));
    }
}
