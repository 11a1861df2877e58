package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.polytopelens.launcher.Workbench;

/**
 * docs/plugins.md, followed by a test: the template project (samples/plugin-template) built with
 * Maven against the installed API, dropped into a running workbench's plugins/, used by an
 * experiment, updated, removed; and a broken plugin that harms nothing.
 */
class PluginSdkIT {
    private static final Duration LIVE = Duration.ofSeconds(3);
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();
    private static Path home;
    private static Workbench wb;

    @BeforeAll
    static void boot() throws Exception {
        home = Distribution.copy("PluginSdkIT");
        wb = Workbench.start(home, Workbench.Options.defaults());
        wb.application();
    }

    @AfterAll
    static void stop() throws Exception {
        if (wb != null) {
            wb.close();
        }
    }

    /** Builds a copy of a template project with {@code mvn -B -o -q package}; returns the jar. */
    static Path build(String template, String jarName, String... properties) throws Exception {
        Path dir = Files.createTempDirectory(Distribution.WORK, template);
        Distribution.copyTree(SAMPLES.resolve(template), dir);
        List<String> args = new ArrayList<>(List.of("-q", "package"));
        args.addAll(Arrays.asList(properties));
        Distribution.MavenBuild b = Distribution.mvn(dir, args.toArray(String[]::new));
        assertEquals(0, b.exitCode(), () -> "mvn package of " + template + " failed:\n" + b.log());
        Path jar = dir.resolve("target").resolve(jarName);
        assertTrue(Files.isRegularFile(jar), jar + " built");
        return jar;
    }

    static JsonNode provider(String interfaceName, String id) throws Exception {
        for (JsonNode ep : Distribution.pluginsJson(wb).path("extensionPoints")) {
            if (interfaceName.equals(ep.path("interface").asText())) {
                for (JsonNode p : ep.path("providers")) {
                    if (id.equals(p.path("id").asText())) {
                        return p;
                    }
                }
            }
        }
        return null;
    }

    static JsonNode providerOrNull(String id) {
        try {
            return provider("org.polytopelens.api.Analysis", id);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theTemplateBuildsGoesLiveRunsUpdatesAndLeaves() throws Exception {
        Path jar = build("plugin-template", "firing-rates-1.0.0.jar");
        assertEquals(null, providerOrNull("firing-rates"));

        long t0 = System.nanoTime();
        Path deployed = Distribution.deploy(home, jar);
        JsonNode p = Distribution.await(LIVE, "firing-rates listed by plugins", () -> providerOrNull("firing-rates"));
        System.out.println("[PluginSdkIT] template jar dropped -> provider listed: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertTrue(p.path("description").asText().contains("Edition: first edition."), p.toString());

        // An experiment uses it by id, beside the codes analysis whose output checks it.
        Path exp = Distribution.WORK.resolve("firing.yaml");
        Files.writeString(exp, "name: firing\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + "}\nanalyses:\n  - {id: codes, params: {packed: false}}\n"
                + "  - {id: firing-rates, params: {max_points: 1000, batch_size: 300}}\n");
        Path out = Files.createTempDirectory(Distribution.WORK, "firing");
        Workbench.Execution run = wb.execute("run", exp.toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        List<String> summary = Files.readAllLines(out.resolve("firing-rates-summary.csv"));
        assertEquals("model,points,neurons (bits),never on,always on,polytopes occupied", summary.get(0));
        // Independently from codes.npy (uint8 0/1 [1000, 96]): dead neurons, always-on neurons, distinct rows.
        byte[] npy = Files.readAllBytes(out.resolve("codes.npy"));
        int header = 10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8);
        int n = 1000, bits = 96, never = 0, always = 0;
        for (int j = 0; j < bits; j++) {
            int on = 0;
            for (int r = 0; r < n; r++) {
                on += npy[header + r * bits + j];
            }
            never += on == 0 ? 1 : 0;
            always += on == n ? 1 : 0;
        }
        Set<String> rows = new HashSet<>();
        for (int r = 0; r < n; r++) {
            rows.add(Arrays.toString(Arrays.copyOfRange(npy, header + r * bits, header + (r + 1) * bits)));
        }
        assertEquals("model," + n + "," + bits + "," + never + "," + always + "," + rows.size(), summary.get(1));
        assertTrue(Files.isRegularFile(out.resolve("firing-rates-histogram.png")), "its chart, drawn by the workbench's visualizer");

        // Update: a rebuilt jar replaces the running one.
        Path second = build("plugin-template", "firing-rates-1.0.0.jar", "-Dplugin.edition=second edition");
        Distribution.deploy(home, second);
        Distribution.await(Duration.ofSeconds(5), "the second edition live", () -> {
            JsonNode q = providerOrNull("firing-rates");
            return q != null && q.path("description").asText().contains("Edition: second edition.") ? q : null;
        });

        // Removal: the provider leaves.
        Files.delete(deployed);
        Distribution.await(LIVE, "firing-rates gone", () -> providerOrNull("firing-rates") == null ? Boolean.TRUE : null);
        Distribution.assertAllActive(wb);
    }

    @Test
    void theCoderTemplateCodesASiteInAnExperiment() throws Exception {
        Path jar = build("plugin-coder-template", "relu-margin-1.0.0.jar");
        Path deployed = Distribution.deploy(home, jar);
        try {
            Distribution.await(LIVE, "relu-margin listed", () -> {
                try {
                    return provider("org.polytopelens.api.ActivationCoder", "relu-margin");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Path exp = Distribution.WORK.resolve("margin.yaml");
            Files.writeString(exp, "name: margin\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                    + SAMPLES.resolve("data/mnist-1k.npy") + ", limit: 50}\ncoders: [relu-margin]\nanalyses:\n  - {id: codes, params: {packed: false}}\n");
            Path out = Files.createTempDirectory(Distribution.WORK, "margin");
            Workbench.Execution run = wb.execute("run", exp.toString(), "--out", out.toString());
            assertEquals(0, run.exitCode(), run.out() + run.err());
            String header = new String(Files.readAllBytes(out.resolve("codes.npy")), 0, 128, StandardCharsets.ISO_8859_1);
            assertTrue(header.contains("'shape': (50, 192)"), "two bits per ReLU neuron (96 neurons): " + header);
        } finally {
            Files.deleteIfExists(deployed);
        }
    }

    @Test
    void aBrokenPluginIsReportedAndTheWorkbenchGoesOn() throws Exception {
        Path broken = Distribution.deploy(home, Distribution.testPlugin("broken.imports"));
        try {
            Bundle b = Distribution.await(LIVE, "broken plugin installed", () -> Distribution.bundle(wb.systemContext(), "org.polytopelens.itest.broken.imports"));
            Map<Long, String> problems = Distribution.await(LIVE, "broken plugin reported",
                    () -> wb.bundleProblems().containsKey(b.getBundleId()) ? wb.bundleProblems() : null);
            assertTrue(problems.get(b.getBundleId()).contains("org.polytopelens.nowhere"), problems.toString());
            Workbench.Execution plugins = wb.execute("plugins");
            assertEquals(0, plugins.exitCode(), plugins.err());
            assertTrue(plugins.out().contains("org.polytopelens.nowhere"), "plugins names the problem");
            assertFalse(Distribution.providerIds(Distribution.pluginsJson(wb), "org.polytopelens.api.Analysis").isEmpty());
        } finally {
            Files.deleteIfExists(broken);
        }
    }
}
