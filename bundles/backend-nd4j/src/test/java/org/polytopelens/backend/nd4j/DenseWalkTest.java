package org.polytopelens.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/**
 * The walk on plain arrays ({@link DenseWalk}) against the ND4J walk on the same model (the
 * switch {@link Nd4jModel#denseWalks} off): the same crossings, sites and neurons, t to 1e-9.
 */
class DenseWalkTest {
    private static final Nd4jBackend BACKEND = new Nd4jBackend(Map.of());
    private static final List<Model> OPENED = new ArrayList<>();
    private static Path dir;

    @BeforeAll
    static void dir() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "nd4j-dense-walk-test");
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Model::close);
    }

    private static Nd4jModel open(Path file) throws Exception {
        Nd4jModel m = (Nd4jModel) BACKEND.open(file, Parameters.empty());
        OPENED.add(m);
        return m;
    }

    @Test
    void mlpWalksEqualTheNd4jWalks() throws Exception {
        int[][] shapes = {{2, 16, 16, 3}, {6, 24, 20, 2}, {3, 12, 12, 12, 4}, {30, 40, 30, 10}};
        Random r = new Random(11);
        int total = 0;
        for (int k = 0; k < shapes.length; k++) {
            Mlp mlp = OnnxModelBuilder.mlp(200 + k, shapes[k]);
            Nd4jModel m = open(mlp.save(dir.resolve("mlp" + k + ".onnx")));
            for (int s = 0; s < 4; s++) {
                float[] a = Reference.gaussian(r, shapes[k][0], 2);
                float[] b = Reference.gaussian(r, shapes[k][0], 2);
                total += assertSameWalks(m, Mlp.INPUT, a, b, List.of(), "mlp " + k + " segment " + s);
                assertSameWalks(m, Mlp.INPUT, a, b, List.of(Mlp.relu(2)), "mlp " + k + " segment " + s + ", relu2 only");
            }
            // From a hidden layer's space: the first dense layer after it is the walk's fixed part.
            float[] ha = Reference.gaussian(r, shapes[k][1], 1);
            float[] hb = Reference.gaussian(r, shapes[k][1], 1);
            total += assertSameWalks(m, Mlp.activation(1), ha, hb, List.of(), "mlp " + k + " from relu1.out");
            assertTrue(m.denseWalksCompiled() >= 2, "the MLP's walks run on plain arrays: " + m.denseWalksCompiled());
        }
        assertTrue(total > 200, "the segments cross enough boundaries to mean something: " + total);
    }

    /** LeakyRelu, PRelu (per channel, on a [C, H, W] input), Clip, Flatten and Reshape, all on the plain-array path. */
    @Test
    void otherGatesAndShapesEqualTheNd4jWalks() throws Exception {
        Random w = new Random(12);
        Cnn net = new Cnn(new int[] {2, 3, 3}, List.of(
                Cnn.Ramp.prelu("prelu0", new float[] {0.2f, -0.3f}),
                new Cnn.Flat("flat0", "Flatten"),
                Cnn.Dense.random(w, "fc1", 18, 24),
                Cnn.Ramp.leaky("leaky1", 0.1f),
                Cnn.Dense.random(w, "fc2", 24, 20),
                new Cnn.Clip("clip2", -0.3f, 0.4f),
                new Cnn.Flat("flat2", "Reshape"),
                Cnn.Dense.random(w, "fc3", 20, 16),
                Cnn.Ramp.relu("relu3"),
                Cnn.Dense.random(w, "fc4", 16, 3)));
        Nd4jModel m = open(net.save(dir.resolve("gates.onnx")));
        Random r = new Random(13);
        int total = 0;
        for (int s = 0; s < 6; s++) {
            float[] a = Reference.gaussian(r, 18, 3);
            float[] b = Reference.gaussian(r, 18, 3);
            total += assertSameWalks(m, Cnn.INPUT, a, b, List.of(), "segment " + s);
            assertSameWalks(m, Cnn.INPUT, a, b, List.of("clip2"), "segment " + s + ", clip2 only");
        }
        assertTrue(m.denseWalksCompiled() >= 2, "these walks run on plain arrays: " + m.denseWalksCompiled());
        assertTrue(total > 50, "the segments cross enough boundaries to mean something: " + total);
    }

    /** MatMul and Add (bias first) as the first layer, Identity, Gemm with alpha, beta and no transB, and a residual Add. */
    @Test
    void matMulGemmAttributesAndResidualsEqualTheNd4jWalks() throws Exception {
        Random w = new Random(14);
        OnnxModelBuilder g = new OnnxModelBuilder("residual").input("x", -1, 5)
                .initializer("w1", Cnn.uniform(w, 5 * 12, 5), 5, 12).initializer("b1", Cnn.uniform(w, 12, 5), 12)
                .initializer("w2", Cnn.uniform(w, 12 * 12, 12), 12, 12).initializer("c2", Cnn.uniform(w, 12, 12), 1, 12)
                .initializer("w3", Cnn.uniform(w, 3 * 12, 12), 3, 12).initializer("b3", Cnn.uniform(w, 3, 12), 3)
                .matMul("mm1", "x", "w1", "mm1.out")
                .add("add1", "b1", "mm1.out", "z1")
                .relu("relu1", "z1", "r1")
                .node("id1", "Identity", List.of("r1"), List.of("id1.out"), Map.of())
                .node("fc2", "Gemm", List.of("id1.out", "w2", "c2"), List.of("g2"), Map.of("alpha", 0.5f, "beta", 2f))
                .add("res", "g2", "id1.out", "z2")
                .node("leaky2", "LeakyRelu", List.of("z2"), List.of("r2"), Map.of("alpha", 0.05f))
                .gemm("fc3", "r2", "w3", "b3", "y", true)
                .output("y", -1, 3);
        Nd4jModel m = open(g.save(dir.resolve("residual.onnx")));
        Random r = new Random(15);
        int total = 0;
        for (int s = 0; s < 6; s++) {
            float[] a = Reference.gaussian(r, 5, 3);
            float[] b = Reference.gaussian(r, 5, 3);
            total += assertSameWalks(m, "x", a, b, List.of(), "segment " + s);
        }
        assertEquals(1, m.denseWalksCompiled(), "this walk runs on plain arrays");
        assertTrue(total > 30, "the segments cross enough boundaries to mean something: " + total);
    }

    /** Returns the number of crossings. */
    private static int assertSameWalks(Nd4jModel m, String from, float[] a, float[] b, List<String> sites, String what) throws Exception {
        m.denseWalks(true);
        List<Crossing> dense = m.walk(from, a, b, sites);
        m.denseWalks(false);
        List<Crossing> nd4j;
        try {
            nd4j = m.walk(from, a, b, sites);
        } finally {
            m.denseWalks(true);
        }
        assertEquals(nd4j.size(), dense.size(), what + ": number of crossings");
        for (int i = 0; i < nd4j.size(); i++) {
            Crossing x = nd4j.get(i);
            Crossing y = dense.get(i);
            assertEquals(x.site(), y.site(), what + ": site of crossing " + i);
            assertEquals(x.neuron(), y.neuron(), what + ": neuron of crossing " + i);
            assertEquals(x.t(), y.t(), 1e-9, what + ": t of crossing " + i);
        }
        return dense.size();
    }
}
