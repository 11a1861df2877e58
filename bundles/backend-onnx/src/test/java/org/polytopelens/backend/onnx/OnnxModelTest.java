package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;
import org.polytopelens.onnx.proto.Onnx.ModelProto;

/** The backend against real ONNX Runtime, on models written by {@link OnnxModelBuilder}. */
class OnnxModelTest {
    private static final int[] WIDTHS = {4, 8, 6, 3};

    @TempDir
    Path dir;

    private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend(Map.of());
    private Mlp mlp;
    private Path file;
    private Model model;

    @BeforeEach
    void open() throws IOException {
        mlp = OnnxModelBuilder.mlp(42, WIDTHS);
        file = mlp.save(dir.resolve("mlp.onnx"));
        model = backend.open(file, Parameters.empty());
    }

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void infoListsReluSitesInOrderWithProbedShapes() {
        ModelInfo info = model.info();
        assertEquals(List.of(new TensorInfo("input", "float", new long[] {-1, 4})), info.inputs());
        assertEquals(List.of(new TensorInfo("output", "float", new long[] {-1, 3})), info.outputs());
        // The MLP declares no value_info: shapes come from the batch-1 probe.
        assertEquals(List.of(
                        new ActivationSite("relu1", "Relu", GateKind.HARD, "fc1.out", new long[] {8}, 8),
                        new ActivationSite("relu2", "Relu", GateKind.HARD, "fc2.out", new long[] {6}, 6)),
                info.sites());
        assertEquals(List.of("input", "fc1.out", "relu1.out", "fc2.out", "relu2.out", "output"), info.tensors());
    }

    @Test
    void declaredValueInfoGivesShapesWithoutProbe() throws Exception {
        ModelProto m = mlp.model().toBuilder()
                .setGraph(mlp.model().getGraph().toBuilder()
                        .addValueInfo(OnnxModelBuilder.floatValueInfo("fc1.out", -1, 8))
                        .addValueInfo(OnnxModelBuilder.floatValueInfo("fc2.out", -1, 6)))
                .build();
        Path f = dir.resolve("declared.onnx");
        Files.write(f, m.toByteArray());
        try (Model declared = backend.open(f, Parameters.empty())) {
            assertEquals(List.of(8L, 6L), declared.info().sites().stream().map(ActivationSite::neurons).toList());
            assertEquals(model.info().sites(), declared.info().sites());
        }
    }

    @Test
    void fetchedPreactivationsEqualAHandComputation() throws Exception {
        int rows = 5;
        float[] x = randomRows(rows, WIDTHS[0], 1);
        Map<String, Tensor> out = model.run(Map.of("input", Tensor.batch(rows, new long[] {4}, x)),
                List.of("fc1.out", "fc2.out", "output"));
        assertEquals(List.of("fc1.out", "fc2.out", "output"), List.copyOf(out.keySet()));
        float[] a = x;
        String[] names = {"fc1.out", "fc2.out", "output"};
        for (int l = 0; l < 3; l++) {
            int in = WIDTHS[l];
            int width = WIDTHS[l + 1];
            float[] z = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < width; o++) {
                    double s = mlp.biases()[l][o];
                    for (int i = 0; i < in; i++) {
                        s += mlp.weights()[l][o * in + i] * a[r * in + i];
                    }
                    z[r * width + o] = (float) s;
                }
            }
            Tensor got = out.get(names[l]);
            assertArrayEquals(new long[] {rows, width}, got.shape());
            assertArrayEquals(z, got.data(), 1e-5f, names[l]);
            a = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                a[i] = Math.max(z[i], 0);
            }
        }
        // Mlp.forward is the same reference computation, per point.
        assertArrayEquals(mlp.forward(row(x, 0, 4)).get(2), out.get("output").row(0), 1e-5f);
    }

    @Test
    void feedingAHiddenLayerGivesTheSameOutputs() throws Exception {
        int rows = 7;
        Tensor x = Tensor.batch(rows, new long[] {4}, randomRows(rows, 4, 2));
        Map<String, Tensor> full = model.run(Map.of("input", x), List.of("fc1.out", "relu1.out", "output"));
        Map<String, Tensor> fromAct = model.run(Map.of("relu1.out", full.get("relu1.out")), List.of("output"));
        Map<String, Tensor> fromPre = model.run(Map.of("fc1.out", full.get("fc1.out")), List.of("relu2.out", "output"));
        assertArrayEquals(full.get("output").data(), fromAct.get("output").data(), 1e-6f);
        assertArrayEquals(full.get("output").data(), fromPre.get("output").data(), 1e-6f);
        assertArrayEquals(new long[] {rows, 6}, fromPre.get("relu2.out").shape());
        // A fetched feed comes back as given; an unused feed is ignored.
        Map<String, Tensor> both = model.run(Map.of("input", x, "relu1.out", full.get("relu1.out")),
                List.of("relu1.out", "output"));
        assertEquals(full.get("relu1.out"), both.get("relu1.out"));
        assertArrayEquals(full.get("output").data(), both.get("output").data(), 1e-6f);
    }

    @Test
    void unknownNamesAndImpossibleCutsAreClearErrors() {
        Tensor x = Tensor.batch(1, new long[] {4}, new float[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.run(Map.of("input", x), List.of("fc9.out")));
        assertTrue(e.getMessage().contains("fc9.out") && e.getMessage().contains("valid tensors")
                && e.getMessage().contains("relu2.out") && e.getMessage().contains(file.toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("inptu", x), List.of("output")));
        assertTrue(e.getMessage().contains("'inptu'") || e.getMessage().contains("[inptu]"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'input'?"), e.getMessage());
        // Points of the wrong shape: what the model takes, before ONNX Runtime's own message.
        Tensor wide = Tensor.batch(2, new long[] {5}, new float[10]);
        e = assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("input", wide), List.of("output")));
        assertTrue(e.getMessage().contains("input 'input' of " + file + " takes float points of shape [4] (4 values), got a batch of shape [2, 5]"),
                e.getMessage());
        Tensor image = Tensor.batch(1, new long[] {2, 2}, new float[4]);
        e = assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("input", image), List.of("output")));
        assertTrue(e.getMessage().contains("points of shape [2, 2]"), e.getMessage());
        // Upstream of the cut cannot be computed from the cut.
        Tensor h = Tensor.batch(1, new long[] {6}, new float[6]);
        e = assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("fc2.out", h), List.of("fc1.out")));
        assertTrue(e.getMessage().contains("[input]") && e.getMessage().contains("feed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("input", x), List.of()));
        assertTrue(e.getMessage().contains("output"), e.getMessage());
    }

    @Test
    void concurrentRunsGiveIdenticalResults() throws Exception {
        Tensor x = Tensor.batch(16, new long[] {4}, randomRows(16, 4, 3));
        List<String> fetches = List.of("fc1.out", "fc2.out", "output");
        Map<String, Tensor> expected = model.run(Map.of("input", x), fetches);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int i = 0; i < 50; i++) {
                        // Alternate between two sessions so creation and use overlap across threads.
                        Map<String, Tensor> got = (i + thread) % 2 == 0
                                ? model.run(Map.of("input", x), fetches)
                                : model.run(Map.of("input", x), List.of("output"));
                        assertEquals(expected.get("output"), got.get("output"));
                        if (got.containsKey("fc1.out")) {
                            assertEquals(expected.get("fc1.out"), got.get("fc1.out"));
                        }
                    }
                    return 50;
                });
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                assertEquals(50, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theUsersFileIsNeverChanged() throws Exception {
        byte[] before = Files.readAllBytes(file);
        FileTime modified = Files.getLastModifiedTime(file);
        Tensor x = Tensor.batch(3, new long[] {4}, randomRows(3, 4, 4));
        Map<String, Tensor> h = model.run(Map.of("input", x), List.of("relu1.out", "fc2.out"));
        model.run(Map.of("relu1.out", h.get("relu1.out")), List.of("output"));
        model.run(Map.of("fc2.out", h.get("fc2.out")), List.of("relu2.out"));
        model.close();
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(modified, Files.getLastModifiedTime(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("mlp.onnx"), files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        assertThrows(IllegalStateException.class, () -> model.run(Map.of("input", x), List.of("output")));
    }

    @Test
    void aSmallSessionCacheEvictsAndStillComputes() throws Exception {
        try (Model small = backend.open(file, Parameters.of(Map.of("sessions", 2, "threads", 1, "optimization", "none")))) {
            Tensor x = Tensor.batch(2, new long[] {4}, randomRows(2, 4, 5));
            Map<String, Tensor> expected = model.run(Map.of("input", x), List.of("fc1.out", "fc2.out", "output"));
            for (int round = 0; round < 2; round++) {
                for (String fetch : List.of("fc1.out", "fc2.out", "output")) {
                    assertArrayEquals(expected.get(fetch).data(),
                            small.run(Map.of("input", x), List.of(fetch)).get(fetch).data(), 1e-6f);
                }
            }
        }
    }

    private static float[] randomRows(int rows, int width, long seed) {
        Random r = new Random(seed);
        float[] v = new float[rows * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] row(float[] data, int i, int width) {
        float[] r = new float[width];
        System.arraycopy(data, i * width, r, 0, width);
        return r;
    }
}
