package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Runs bin/workbench as a user would, in its own JVM: cold and warm start, feature override. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessIT {
    private static final Pattern READY = Pattern.compile("workbench: ready (\\d+) ms after JVM start");
    private static Path home;

    record Run(int exitCode, String out, String err, long wallMillis) {
        long readyMillis() {
            Matcher m = READY.matcher(err);
            assertTrue(m.find(), "timing line in stderr: " + err);
            return Long.parseLong(m.group(1));
        }
    }

    @BeforeAll
    static void copy() throws IOException {
        home = Distribution.copy("ProcessIT");
    }

    static Run workbench(Path cwd, String... args) throws Exception {
        return workbenchWithInput("", cwd, args);
    }

    static Run workbenchWithInput(String input, Path cwd, String... args) throws Exception {
        return workbenchWith(Map.of(), input, cwd, args);
    }

    /** Runs bin/workbench with extra environment variables (a value of null removes the variable). */
    static Run workbenchWith(Map<String, String> env, String input, Path cwd, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/workbench").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(Distribution.WORK, "out", ".txt");
        Path err = Files.createTempFile(Distribution.WORK, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("WORKBENCH_TIMING", "1");
        pb.environment().remove("WORKBENCH_FEATURES");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        long t0 = System.nanoTime();
        Process p = pb.start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "bin/workbench finished");
        long wall = (System.nanoTime() - t0) / 1_000_000;
        Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), wall);
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    @Test
    @Order(1)
    void coldAndWarmStart() throws Exception {
        Run cold = workbench(Distribution.WORK, "plugins", "--json");
        assertEquals(0, cold.exitCode(), cold.err());
        JsonNode plugins = Distribution.JSON.readTree(cold.out());
        for (JsonNode b : plugins.path("bundles")) {
            assertTrue(List.of("ACTIVE", "RESOLVED").contains(b.path("state").asText()), b.toString());
        }
        for (String type : Distribution.SERVED_EXTENSION_POINTS) {
            assertFalse(Distribution.providerIds(plugins, type).isEmpty(), "a provider of " + type);
        }
        Run warm = workbench(Distribution.WORK, "plugins", "--json");
        assertEquals(0, warm.exitCode(), warm.err());
        assertEquals(cold.out(), warm.out());
        System.out.printf("[ProcessIT] cold start (empty cache): JVM start -> ready %d ms, whole command %d ms%n",
                cold.readyMillis(), cold.wallMillis());
        System.out.printf("[ProcessIT] warm start (cache reused): JVM start -> ready %d ms, whole command %d ms%n",
                warm.readyMillis(), warm.wallMillis());
        assertTrue(Files.isDirectory(home.resolve("data/felix-cache")), "framework cache under data/");
    }

    @Test
    @Order(2)
    void featuresOptionOverridesTheDefaultList() throws Exception {
        Run core = workbench(Distribution.WORK, "--features", "core", "plugins", "--json");
        assertEquals(0, core.exitCode(), core.err());
        List<String> names = new ArrayList<>();
        Distribution.JSON.readTree(core.out()).path("bundles").forEach(b -> names.add(b.path("symbolicName").asText()));
        assertTrue(names.contains("org.polytopelens.cli"), names.toString());
        assertFalse(names.contains("org.polytopelens.backend.onnx"), "onnx feature not installed: " + names);

        Run all = workbench(Distribution.WORK, "plugins", "--json");
        assertEquals(0, all.exitCode(), all.err());
        assertTrue(all.out().contains("org.polytopelens.backend.onnx"), "default features again");
    }

    @Test
    @Order(3)
    void helpWorksAndUnknownFeaturesAreNamed() throws Exception {
        Run run = workbench(Distribution.WORK, "--features", "core,nosuch", "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("unknown feature 'nosuch'"), run.err());
        assertFalse(run.out().isBlank(), "help text");
    }

    @Test
    @Order(4)
    void shellRunsGogoCommandsFromStdinAndExits() throws Exception {
        Run run = workbenchWithInput("lb\nexit 0\n", Distribution.WORK, "shell");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Apache Felix Declarative Services"), run.out());
    }

    /** The repository's samples (data, shipped models, experiments), as a user's checkout has them. */
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @Test
    @Order(5)
    void demoReproducesPrediction2OnTheShippedModels() throws Exception {
        Path out = Files.createTempDirectory(Distribution.WORK, "demo");
        Run run = workbench(Distribution.WORK, "demo", "--samples", SAMPLES.toString(), "--only", "prediction-2-density,prediction-1-clusters", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("ok: " + out.resolve("index.html")), run.out());
        assertTrue(Files.readString(out.resolve("index.html")).contains("prediction-2-density/report.html"), "the index links the run's report");
        String report = Files.readString(out.resolve("prediction-2-density/report.html"));
        assertTrue(report.contains("data:image/png;base64,") && report.contains("intra mean"), "the report embeds the density chart and table");
        // Prediction 1 too: the trained CNN's codes cluster by class better than its untrained twin's.
        JsonNode clusters = Distribution.JSON.readTree(out.resolve("prediction-1-clusters/clusters.json").toFile()).path("models");
        assertTrue(clusters.path("trained").path("adjusted_rand_index").asDouble() > clusters.path("untrained").path("adjusted_rand_index").asDouble(),
                clusters.toString());
        JsonNode models = Distribution.JSON.readTree(out.resolve("prediction-2-density/input/density.json").toFile()).path("models");
        JsonNode trained = models.path("trained");
        JsonNode untrained = models.path("untrained");
        // The paper's Prediction 2 in the trained MLP: denser boundaries between classes than within.
        assertTrue(trained.path("intra").path("mean").asDouble() < trained.path("inter").path("mean").asDouble(), trained.toString());
        assertTrue(trained.path("welch").path("p").asDouble() < 1e-6, trained.toString());
        // ...which training made: the untrained twin's intra/inter ratio is closer to 1. The same
        // experiment's second step measured relu1.out's space (its own layer and directory).
        assertTrue(Files.isRegularFile(out.resolve("prediction-2-density/relu1/density.json")), "the per-layer step");
        double ratioTrained = trained.path("intra").path("mean").asDouble() / trained.path("inter").path("mean").asDouble();
        double ratioUntrained = untrained.path("intra").path("mean").asDouble() / untrained.path("inter").path("mean").asDouble();
        assertTrue(Math.abs(1 - ratioUntrained) < Math.abs(1 - ratioTrained), ratioTrained + " vs " + ratioUntrained);
    }

    /** Prediction 1 on the transformer sample: the text dataset bundle, token points and galleries in the real container. */
    @Test
    @Order(5)
    void theMiniLmSampleClustersEuroparlTokensBySoftCodes() throws Exception {
        Path out = Files.createTempDirectory(Distribution.WORK, "minilm");
        Run run = workbench(Distribution.WORK, "run", SAMPLES.resolve("experiments/paper/prediction-1-minilm.yaml").toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        JsonNode codes = Distribution.JSON.readTree(out.resolve("codes/clusters.json").toFile());
        assertEquals(1800, codes.path("points").asInt(), "6 tokens of each of 300 sentences");
        JsonNode m = codes.path("models").path("model");
        assertEquals(1536, m.path("code_bits").asInt(), "layer 3's GELU gates only: later layers read other tokens");
        assertTrue(m.path("clusters").asInt() >= 3, m.toString());
        assertTrue(Files.size(out.resolve("codes/clusters-gallery.png")) > 10_000, "a tokens-in-context gallery");
        assertTrue(Files.readString(out.resolve("directions/directions-top.txt")).contains("]"), "top tokens of each direction, in context");
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("codes/clusters-gallery.png") && report.contains("directions/directions-top.txt"), "the report shows both");
    }

    /**
     * The desktop window in the real container (FlatLaf and JFreeChart loaded by their bundles):
     * `workbench gui --screenshot` on an Xvfb display opens an experiment in the editor, draws the
     * window and closes it. Without a display, a clear error.
     */
    @Test
    @Order(5)
    void theGuiOpensInTheRealContainerAndSaysSoWithoutADisplay() throws Exception {
        Run help = workbench(Distribution.WORK, "--help");
        assertTrue(help.out().contains("Commands from plugins:") && help.out().contains("gui "), help.out());
        Run none = workbenchWith(java.util.Collections.singletonMap("DISPLAY", null), "", Distribution.WORK, "gui");
        assertEquals(1, none.exitCode(), none.out() + none.err());
        assertTrue(none.err().contains("no display for the window"), none.err());

        String display = ":96";
        Path socket = Path.of("/tmp/.X11-unix/X96");
        Process xvfb = null;
        if (!Files.exists(socket)) {
            assertTrue(Files.isExecutable(Path.of("/usr/bin/Xvfb")), "this test needs Xvfb (apt-get install -y xvfb; .ci/run installs it)");
            xvfb = new ProcessBuilder("/usr/bin/Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp")
                    .redirectErrorStream(true).redirectOutput(Distribution.WORK.resolve("xvfb96.log").toFile()).start();
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
        }
        try {
            // the README's first screenshot: the real container, forms from the real Metatype schemas
            Path png = Path.of("../../docs/images/gui/workbench-gui.png").toAbsolutePath().normalize();
            // ...and a plugin jar given to the window is installed as a drop on it would: live in the container
            Run gui = workbenchWith(Map.of("DISPLAY", display), "", Distribution.WORK, "gui", "--screenshot", png.toString(),
                    SAMPLES.resolve("experiments/paper/prediction-2-density.yaml").toString(), Distribution.testPlugin("example").toString());
            assertEquals(0, gui.exitCode(), gui.out() + gui.err());
            Path installed = home.resolve("plugins").resolve(Distribution.testPlugin("example").getFileName());
            assertTrue(Files.isRegularFile(installed), "the window copied the plugin into plugins/");
            try {
                Run plugins = workbench(Distribution.WORK, "plugins", "--json");
                assertEquals(0, plugins.exitCode(), plugins.err());
                assertTrue(Distribution.providerIds(Distribution.JSON.readTree(plugins.out()), "org.polytopelens.api.Analysis").contains("example"),
                        "the installed plugin's analysis is registered");
            } finally {
                Files.deleteIfExists(installed);
            }
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
            assertTrue(img.getWidth() >= 800 && img.getHeight() >= 600, img.getWidth() + " x " + img.getHeight());
            // the window remembered its state in the data directory
            assertTrue(Files.isRegularFile(home.resolve("data/gui/state.json")), "state.json");
        } finally {
            if (xvfb != null) {
                xvfb.destroy();
            }
        }
    }

    @Test
    @Order(6)
    void trainWritesTheModelItsUntrainedTwinAndARecord() throws Exception {
        Path dir = Files.createTempDirectory(Distribution.WORK, "train");
        Path model = dir.resolve("small.onnx");
        Run run = workbench(Distribution.WORK, "train", "--param", "hidden=32", "--param", "epochs=2", "--limit", "2000",
                "--images", SAMPLES.resolve("data/mnist-10k-images-idx3-ubyte.gz").toString(),
                "--labels", SAMPLES.resolve("data/mnist-10k-labels-idx1-ubyte.gz").toString(), "--out", model.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode record = Distribution.JSON.readTree(run.out());
        assertEquals("mlp 784-32-10", record.path("architecture").asText());
        assertTrue(record.path("test_accuracy").asDouble() > 0.75, record.toString());
        assertTrue(record.path("untrained_test_accuracy").asDouble() < 0.3, record.toString());
        assertEquals(record, Distribution.JSON.readTree(dir.resolve("small.json").toFile()));
        assertTrue(Files.size(dir.resolve("small-init.onnx")) == Files.size(model), "the twin has the model's architecture");
        // The models open like any other: inspect finds the ReLU site of the hidden layer.
        Run inspect = workbench(Distribution.WORK, "inspect", model.toString(), "--json");
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertEquals("relu1", Distribution.JSON.readTree(inspect.out()).path("sites").path(0).path("name").asText());
        // Bad input: a ConvNet on flat points is refused with what would be valid.
        Run bad = workbench(Distribution.WORK, "train", "--architecture", "rnn", "--out", dir.resolve("x.onnx").toString(),
                "--images", SAMPLES.resolve("data/mnist-10k-images-idx3-ubyte.gz").toString(),
                "--labels", SAMPLES.resolve("data/mnist-10k-labels-idx1-ubyte.gz").toString());
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("\"rnn\" is not one of [mlp, cnn]"), bad.err());
    }
}
