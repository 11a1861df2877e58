package org.polytopelens.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/** ND4J's forward pass against the plain-Java reference and against ONNX Runtime, on the same files. */
class Nd4jModelTest {
    private static final int[] WIDTHS = {5, 16, 12, 3};
    private static final int N = 50;

    private static final ModelBackend ND4J = new Nd4jBackend(Map.of());
    private static final ModelBackend ORT = new OnnxRuntimeBackend(Map.of());

    private static Path dir;
    private static Mlp mlp;
    private static Model nd4j;
    private static Model ort;
    private static Tensor batch;

    @BeforeAll
    static void open() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "nd4j-model-test");
        mlp = OnnxModelBuilder.mlp(3, WIDTHS);
        Path file = mlp.save(dir.resolve("mlp.onnx"));
        long t0 = System.nanoTime();
        nd4j = ND4J.open(file, Parameters.empty());
        System.out.printf("[Nd4jModelTest] open: %.0f ms (includes ND4J's start if first in this JVM)%n", (System.nanoTime() - t0) / 1e6);
        ort = ORT.open(file, Parameters.empty());
        Random r = new Random(11);
        float[] data = new float[N * WIDTHS[0]];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian() * 2;
        }
        batch = Tensor.batch(N, new long[] {WIDTHS[0]}, data);
    }

    @AfterAll
    static void close() {
        nd4j.close();
        ort.close();
    }

    @Test
    void infoMatchesOnnxRuntimeBackend() {
        assertEquals(ort.info().inputs(), nd4j.info().inputs());
        assertEquals(ort.info().outputs(), nd4j.info().outputs());
        assertEquals(ort.info().sites(), nd4j.info().sites());
        assertEquals(ort.info().tensors(), nd4j.info().tensors());
        assertEquals(List.of(new ActivationSite("relu1", "Relu", GateKind.HARD, "fc1.out", new long[] {16}, 16),
                new ActivationSite("relu2", "Relu", GateKind.HARD, "fc2.out", new long[] {12}, 12)), nd4j.info().sites());
        assertTrue(nd4j.piecewiseLinear().isPresent());
    }

    @Test
    void runEqualsReferenceForward() throws Exception {
        List<String> fetches = List.of(Mlp.preactivation(1), Mlp.preactivation(2), Mlp.OUTPUT);
        Map<String, Tensor> out = nd4j.run(Map.of(Mlp.INPUT, batch), fetches);
        assertEquals(fetches, List.copyOf(out.keySet()));
        for (int i = 0; i < N; i++) {
            List<float[]> expected = mlp.forward(batch.row(i));
            for (int l = 0; l < fetches.size(); l++) {
                Tensor t = out.get(fetches.get(l));
                assertArrayEquals(new long[] {N, WIDTHS[l + 1]}, t.shape());
                assertArrayEquals(expected.get(l), t.row(i), 1e-5f, fetches.get(l) + " of point " + i);
            }
        }
    }

    @Test
    void runEqualsOnnxRuntimeIncludingCuts() throws Exception {
        List<String> fetches = List.of(Mlp.preactivation(1), Mlp.activation(1), Mlp.preactivation(2), Mlp.OUTPUT);
        assertClose(ort.run(Map.of(Mlp.INPUT, batch), fetches), nd4j.run(Map.of(Mlp.INPUT, batch), fetches));
        // Feeding an intermediate tensor cuts the graph there.
        Tensor hidden = nd4j.run(Map.of(Mlp.INPUT, batch), List.of(Mlp.activation(1))).get(Mlp.activation(1));
        List<String> downstream = List.of(Mlp.preactivation(2), Mlp.OUTPUT, Mlp.activation(1));
        Map<String, Tensor> cut = nd4j.run(Map.of(Mlp.activation(1), hidden), downstream);
        assertClose(ort.run(Map.of(Mlp.activation(1), hidden), downstream), cut);
        assertTrue(cut.get(Mlp.activation(1)) == hidden, "a fed tensor is returned as fed");
    }

    /** The engine calls run from several threads at once (each sets ND4J's class loader itself). */
    @Test
    void concurrentRunsAgree() throws Exception {
        Tensor expected = nd4j.run(Map.of(Mlp.INPUT, batch), List.of(Mlp.OUTPUT)).get(Mlp.OUTPUT);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Tensor>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> nd4j.run(Map.of(Mlp.INPUT, batch), List.of(Mlp.OUTPUT)).get(Mlp.OUTPUT)));
            }
            for (Future<Tensor> f : results) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void emptyBatchGivesEmptyResults() throws Exception {
        Tensor empty = new Tensor(new long[] {0, WIDTHS[0]}, new float[0]);
        Tensor out = nd4j.run(Map.of(Mlp.INPUT, empty), List.of(Mlp.OUTPUT)).get(Mlp.OUTPUT);
        assertArrayEquals(new long[] {0, 3}, out.shape());
    }

    @Test
    void unknownTensorsAndMissingInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> nd4j.run(Map.of(Mlp.INPUT, batch), List.of("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("fc1.out"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> nd4j.run(Map.of(), List.of(Mlp.OUTPUT)));
        assertTrue(e.getMessage().contains("needs [input]"), e.getMessage());
        Tensor narrow = new Tensor(new long[] {2, 4}, new float[8]);
        e = assertThrows(IllegalArgumentException.class, () -> nd4j.run(Map.of(Mlp.INPUT, narrow), List.of(Mlp.OUTPUT)));
        assertTrue(e.getMessage().contains("Gemm node 'fc1'") && e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    /** Every supported op and attribute (Flatten, MatMul, Add, Identity, Gemm alpha/beta/transA/transB). */
    @Test
    void everySupportedOpEqualsOnnxRuntime() throws Exception {
        Random r = new Random(5);
        OnnxModelBuilder b = new OnnxModelBuilder("ops")
                .input("x", -1, 2, 3)
                .initializer("W1", Reference.gaussian(r, 6 * 4, 0.5), 6, 4)
                .initializer("b1", Reference.gaussian(r, 4, 0.5), 4)
                .initializer("W2", Reference.gaussian(r, 5 * 4, 0.5), 5, 4)
                .initializer("c2", Reference.gaussian(r, 5, 0.5), 1, 5)
                .node("flat", "Flatten", List.of("x"), List.of("x.flat"), Map.of())
                .matMul("mm", "x.flat", "W1", "h.mm")
                .add("bias", "h.mm", "b1", "h.pre")
                .relu("act", "h.pre", "h")
                .node("Identity", List.of("h"), List.of("h.id"), Map.of())
                .node("head", "Gemm", List.of("h.id", "W2", "c2"), List.of("y"), Map.of("alpha", 0.5f, "beta", 2f, "transB", 1L))
                .output("y", -1, 5);
        Path file = b.save(dir.resolve("ops.onnx"));
        try (Model n = ND4J.open(file, Parameters.empty()); Model o = ORT.open(file, Parameters.empty())) {
            assertEquals(o.info().sites(), n.info().sites());
            assertEquals(o.info().tensors(), n.info().tensors());
            Tensor x = new Tensor(new long[] {7, 2, 3}, Reference.gaussian(r, 42, 1));
            List<String> fetches = List.of("x.flat", "h.pre", "h.id", "y");
            assertClose(o.run(Map.of("x", x), fetches), n.run(Map.of("x", x), fetches));
        }
        // transA: the points are the columns of A (fixed batch of 3 here).
        Path t = new OnnxModelBuilder("transA")
                .input("a", 4, 3)
                .initializer("B", Reference.gaussian(r, 4 * 2, 1), 4, 2)
                .node("g", "Gemm", List.of("a", "B"), List.of("y"), Map.of("transA", 1L))
                .output("y", 3, 2)
                .save(dir.resolve("transA.onnx"));
        try (Model n = ND4J.open(t, Parameters.empty()); Model o = ORT.open(t, Parameters.empty())) {
            Tensor a = new Tensor(new long[] {4, 3}, Reference.gaussian(r, 12, 1));
            assertClose(o.run(Map.of("a", a), List.of("y")), n.run(Map.of("a", a), List.of("y")));
        }
    }

    @Test
    void unsupportedOpIsNamedWithItsNodeAndTheSupportedOps() throws Exception {
        Path file = new OnnxModelBuilder("soft")
                .input("x", -1, 3)
                .initializer("W", new float[9], 3, 3)
                .gemm("fc", "x", "W", null, "z", true)
                .node("probabilities", "Softmax", List.of("z"), List.of("p"), Map.of())
                .output("p", -1, 3)
                .save(dir.resolve("softmax.onnx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ND4J.open(file, Parameters.empty()));
        String m = e.getMessage();
        assertTrue(m.contains("Softmax") && m.contains("'probabilities'"), m);
        for (String op : List.of("Gemm", "MatMul", "Add", "Relu", "Flatten", "Identity")) {
            assertTrue(m.contains(op), op + " listed in: " + m);
        }
    }

    @Test
    void priorityIsBelowOnnxRuntimeForOnnxFiles() {
        Path f = Path.of("m.onnx");
        assertTrue(ND4J.priority(f) >= 0 && ND4J.priority(f) < ORT.priority(f));
        assertEquals(-1, ND4J.priority(Path.of("m.pt")));
    }

    private static void assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, e) -> {
            Tensor a = actual.get(name);
            assertArrayEquals(e.shape(), a.shape(), name);
            assertArrayEquals(e.data(), a.data(), 1e-5f, name);
        });
    }
}
