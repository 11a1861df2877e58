package org.polytopelens.analysis.slice;

import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Visualizer;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.npy.NpyDatasetProvider;
import org.polytopelens.npy.NpyReader;
import org.polytopelens.viz.jfreechart.ChartVisualizer;

/**
 * The slice in the real runner on the sample data: MNIST digits through the sample ReLU MLP
 * (784-64-32-10, untrained) on ONNX Runtime, codes by the ReLU coder, in the input space and
 * after the first hidden layer.
 */
class MnistEndToEndTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    Runner runner;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("slice", schemaOf(SliceAnalysis.Config.class), "jfreechart", schemaOf(ChartVisualizer.Config.class), "npy", schemaOf(NpyDatasetProvider.Config.class),
                "relu", schemaOf(ReluCoder.Config.class), "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new NpyDatasetProvider());
        add(registry, Analysis.class, new SliceAnalysis());
        add(registry, Visualizer.class, new ChartVisualizer());
        runner = new Runner(registry, List::of, 2);
    }

    Path run(String name, String layer, String params) throws Exception {
        Path e = dir.resolve(name + ".yaml");
        Files.writeString(e, "name: mnist-slice\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\nlayer: \"" + layer
                + "\"\ncoders: [relu]\nanalyses:\n  - {id: slice, params: " + params + "}\n");
        Path out = dir.resolve(name);
        long t0 = System.nanoTime();
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        System.out.printf("slice %s (layer '%s', %s): %.2f s%n", name, layer, params, (System.nanoTime() - t0) / 1e9);
        assertTrue(r.ok(), r.toString());
        assertTrue(r.steps().get(0).files().containsAll(List.of("slice.json", "slice.npy", "slice-heatmap.json", "slice-heatmap.png",
                "slice-heatmap.svg")), r.steps().get(0).files().toString());
        return out;
    }

    static float[] image(Path out, int n) throws Exception {
        try (NpyReader r = NpyReader.open(out.resolve("slice.npy"))) {
            assertArrayEquals(new long[] {n, n}, r.shape());
            return r.readFloats(0, n);
        }
    }

    @Test
    void untrainedMlpOnMnist() throws Exception {
        Path out = run("input", "", "{examples: [0, 1, 2], resolution: 64, batch_size: 7}");
        float[] img = image(out, 64);
        JsonNode j = new ObjectMapper().readTree(out.resolve("slice.json").toFile());
        JsonNode m = j.get("models").fields().next().getValue();
        assertEquals(96, m.get("code_bits").asInt());
        assertEquals(784, m.get("dimension").asInt());
        assertEquals("fc1.out", m.get("fed_at").asText(), "the first Gemm is affine in the input: the grid skips it");
        double fraction = m.get("boundary_pixel_fraction").asDouble();
        assertTrue(fraction > 0 && fraction < 1, "boundary pixels " + fraction);
        assertTrue(m.get("distinct_codes").asInt() > 10, "distinct codes " + m.get("distinct_codes"));
        // Each pixel's distance is at most twice the code length, and the examples lie inside the grid.
        for (float v : img) {
            assertTrue(v >= 0 && v <= 2 * 96 && v == Math.rint(v), "distance " + v);
        }
        for (String p : List.of("a", "b", "c")) {
            JsonNode px = m.get("points").get(p).get("pixel_col_row");
            assertTrue(px.get(0).asDouble() >= 0 && px.get(0).asDouble() <= 63 && px.get(1).asDouble() >= 0 && px.get(1).asDouble() <= 63, p + " " + px);
        }
        // a is the origin of the plane at plane coordinates (0, 0); b is on the x axis.
        assertEquals(0, m.get("points").get("b").get("plane_xy").get(1).asDouble(), 0);
        JsonNode map = new ObjectMapper().readTree(out.resolve("slice-heatmap.json").toFile());
        assertEquals("HeatMap", map.get("type").asText());
        assertTrue(map.get("title").asText().contains("example 0 (class "), map.get("title").asText());
        assertEquals(3, map.get("marks").size());
        System.out.println("slice input 64: " + m);

        // Other block sizes and thread interleavings: the same raw distances.
        assertArrayEquals(img, image(run("input-b64", "", "{resolution: 64, batch_size: 64}"), 64));

        Path hidden = run("hidden", "relu1.out", "{examples: [3, 4, 5], resolution: 64}");
        JsonNode h = new ObjectMapper().readTree(hidden.resolve("slice.json").toFile()).get("models").fields().next().getValue();
        assertEquals(32, h.get("code_bits").asInt());
        assertEquals(64, h.get("dimension").asInt());
        System.out.println("slice relu1.out 64: " + h);
    }

    /**
     * The affine shortcut against feeding the layer: the trained sample CNN cut at pool1.out is fed
     * at conv2.out (Conv is affine), the MLP's input space at fc1's pre-activation. The images
     * agree except where a pixel sits on a boundary within float rounding (at most 0.2% of pixels,
     * by at most a few bits); a layer that is itself the first pre-activation is fed as it is.
     */
    @Test
    void theAffineShortcutGivesTheImageOfFeedingTheLayer() throws Exception {
        float[] digits = new float[3 * 784];
        try (NpyReader r = NpyReader.open(SAMPLES.resolve("data/mnist-1k.npy"))) {
            System.arraycopy(r.readFloats(0, 3), 0, digits, 0, digits.length);
        }
        record Case(String model, String layer, String shortcut) {}
        for (Case c : List.of(new Case("mnist-cnn.onnx", "pool1.out", "conv2.out"), new Case("mlp-784-64-32-10-init.onnx", "", null),
                new Case("mnist-cnn.onnx", "conv2.out", null))) {
            try (org.polytopelens.api.Model model = new OnnxRuntimeBackend(Map.of()).open(SAMPLES.resolve("models/" + c.model()),
                    org.polytopelens.api.Parameters.empty());
                    org.polytopelens.core.internal.ParallelEngine engine = new org.polytopelens.core.internal.ParallelEngine(2)) {
                String input = model.info().inputs().get(0).name();
                String from = c.layer().isEmpty() ? input : c.layer();
                org.polytopelens.api.data.Tensor x = org.polytopelens.api.data.Tensor.batch(3,
                        c.model().contains("cnn") ? new long[] {1, 28, 28} : new long[] {784}, digits);
                org.polytopelens.api.data.Tensor pts = c.layer().isEmpty() ? x : model.run(Map.of(input, x), List.of(c.layer())).get(c.layer());
                var encoder = org.polytopelens.core.internal.LayerEncoder.plan(model, c.layer(), null, List.of(new ReluCoder()), input, line -> {});
                int n = 96;
                Plane plane = Plane.of(pts.row(0), pts.row(1), pts.row(2), n, 0.25, new String[] {"a", "b", "c"});
                List<String> log = new ArrayList<>();
                SliceAnalysis.Feed feed = SliceAnalysis.feed(model, encoder, plane, from, pts.pointShape(), log::add);
                String want = c.shortcut() != null ? c.shortcut() : c.model().contains("mlp") ? encoder.sites().get(0).preactivation() : from;
                assertEquals(want, feed.tensor(), c + ": " + log);
                float[] direct = SliceAnalysis.slice(engine, Progress.NONE, encoder, plane, pts.pointShape(), 8).distances();
                float[] fed = SliceAnalysis.slice(engine, Progress.NONE, feed.encoder(), feed.plane(), feed.shape(), 8).distances();
                int differ = 0;
                double sum = 0;
                for (int i = 0; i < direct.length; i++) {
                    differ += direct[i] != fed[i] ? 1 : 0;
                    assertTrue(Math.abs(direct[i] - fed[i]) <= 4, c + " pixel " + i + ": " + direct[i] + " vs " + fed[i]);
                    sum += direct[i];
                }
                assertTrue(sum > 0, c + ": boundaries in the image");
                assertTrue(differ <= direct.length / 500, c + ": " + differ + " of " + direct.length + " pixels differ");
                System.out.println("slice shortcut " + c + ": fed at " + feed.tensor() + ", " + differ + " of " + direct.length + " pixels differ; " + log);
            }
        }
    }

    /** Two models (here the same file under two roles): one npy and heat map per role, one slice.json. */
    @Test
    void oneSlicePerModelRole() throws Exception {
        Path model = SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx");
        Path e = dir.resolve("roles.yaml");
        Files.writeString(e, "name: mnist-slice-roles\nmodels: {trained: " + model + ", untrained: " + model + "}\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + "}\nlayer: relu1.out\ncoders: [relu]\nanalyses:\n  - {id: slice, params: {resolution: 32}}\n");
        Path out = dir.resolve("roles");
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        assertTrue(r.steps().get(0).files().containsAll(List.of("slice.json", "slice-trained.npy", "slice-untrained.npy", "slice-heatmap-trained.png",
                "slice-heatmap-untrained.png")), r.steps().get(0).files().toString());
        assertArrayEquals(Files.readAllBytes(out.resolve("slice-trained.npy")), Files.readAllBytes(out.resolve("slice-untrained.npy")));
        JsonNode j = new ObjectMapper().readTree(out.resolve("slice.json").toFile());
        assertEquals(List.of("trained", "untrained"), iterable(j.get("models").fieldNames()));
        JsonNode map = new ObjectMapper().readTree(out.resolve("slice-heatmap-untrained.json").toFile());
        assertTrue(map.get("title").asText().contains("(untrained)"), map.get("title").asText());
        // No labels: examples are named by index alone.
        assertTrue(map.get("title").asText().endsWith("through example 0, example 1, example 2"), map.get("title").asText());
        assertEquals("0", map.get("marks").get(0).get("label").asText());
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Timings for the report: {@code -Dslice.timing=true}. */
    @Test
    @EnabledIfSystemProperty(named = "slice.timing", matches = "true")
    void timings() throws Exception {
        Path t256 = run("t256", "", "{resolution: 256}");
        Files.copy(t256.resolve("slice-heatmap.png"), Path.of("target/slice-256.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        run("t1024", "", "{resolution: 1024}");
        run("t1024-hidden", "relu1.out", "{resolution: 1024}");
        Path big = run("t4096-hidden", "relu1.out", "{resolution: 4096}");
        assertEquals(1024, new ObjectMapper().readTree(big.resolve("slice-heatmap.json").toFile()).get("width").asInt(), "published as 4 x 4 block means");
    }
}
