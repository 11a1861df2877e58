package org.polytopelens.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.data.AffineMap;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/**
 * The exact geometry against independent double-precision arithmetic: affine maps against the
 * network and finite differences, JVPs against A v, and segment walks against dense sampling of
 * codes along the segment (the exactness the polytope analyses rely on).
 */
class PiecewiseLinearTest {
    private static final int SAMPLES = 20_000;
    private static final Nd4jBackend BACKEND = new Nd4jBackend(Map.of());
    private static Path dir;
    private static final List<Model> OPENED = new ArrayList<>();

    @BeforeAll
    static void dir() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "nd4j-pl-test");
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Model::close);
    }

    private static PiecewiseLinear open(Mlp mlp, String name) throws Exception {
        Model m = BACKEND.open(mlp.save(dir.resolve(name + ".onnx")), Parameters.empty());
        OPENED.add(m);
        return m.piecewiseLinear().orElseThrow();
    }

    @Test
    void affineMapReproducesTheNetworkInsideThePolytopeAndIsTheJacobian() throws Exception {
        Mlp mlp = OnnxModelBuilder.mlp(21, 6, 20, 15, 4);
        PiecewiseLinear pl = open(mlp, "affine");
        Random r = new Random(1);
        for (int trial = 0; trial < 5; trial++) {
            float[] x = Reference.gaussian(r, 6, 1.5);
            AffineMap map = pl.affineMap(Mlp.INPUT, x, Mlp.OUTPUT);
            assertEquals(4, map.outputs());
            assertEquals(6, map.inputs());
            double[] xd = Reference.toDouble(x);
            assertArrayEquals(Reference.output(mlp, xd), apply(map, xd), 1e-9, "y = A x + c at the point");

            // A nearby point with the same code: the same map gives the network's output there too.
            BitSet code = Reference.code(mlp, xd, 1, 2);
            double[] near = null;
            for (double step = 1e-2; near == null; step /= 4) {
                double[] y = xd.clone();
                for (int i = 0; i < y.length; i++) {
                    y[i] += step * r.nextGaussian();
                }
                if (Reference.code(mlp, y, 1, 2).equals(code)) {
                    near = y;
                }
            }
            assertArrayEquals(Reference.output(mlp, near), apply(map, near), 1e-9, "same polytope, same map");

            // A equals the central finite-difference Jacobian (exact for an affine piece, up to rounding).
            double h = 1e-7;
            for (int j = 0; j < 6; j++) {
                double[] plus = xd.clone();
                double[] minus = xd.clone();
                plus[j] += h;
                minus[j] -= h;
                if (!Reference.code(mlp, plus, 1, 2).equals(code) || !Reference.code(mlp, minus, 1, 2).equals(code)) {
                    continue; // a boundary within h: finite differences straddle two maps
                }
                double[] yp = Reference.output(mlp, plus);
                double[] ym = Reference.output(mlp, minus);
                for (int i = 0; i < 4; i++) {
                    assertEquals((yp[i] - ym[i]) / (2 * h), map.a()[i * 6 + j], 1e-6, "dA[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void affineMapFromAHiddenLayersSpace() throws Exception {
        Mlp mlp = OnnxModelBuilder.mlp(22, 4, 10, 8, 3);
        PiecewiseLinear pl = open(mlp, "affine-hidden");
        float[] h = Reference.gaussian(new Random(2), 10, 1); // a point of relu1.out's space (any sign: the map is linear in it)
        AffineMap map = pl.affineMap(Mlp.activation(1), h, Mlp.OUTPUT);
        assertEquals(10, map.inputs());
        // By hand: y = W3 relu(W2 h + b2) + b3.
        double[] z2 = new double[8];
        for (int o = 0; o < 8; o++) {
            z2[o] = mlp.biases()[1][o];
            for (int i = 0; i < 10; i++) {
                z2[o] += (double) mlp.weights()[1][o * 10 + i] * h[i];
            }
        }
        double[] y = new double[3];
        for (int o = 0; o < 3; o++) {
            y[o] = mlp.biases()[2][o];
            for (int i = 0; i < 8; i++) {
                y[o] += (double) mlp.weights()[2][o * 8 + i] * Math.max(z2[i], 0);
            }
        }
        assertArrayEquals(y, apply(map, Reference.toDouble(h)), 1e-9);
        // To an intermediate tensor: the map of fc2.out is the layer itself (no Relu in between).
        AffineMap layer = pl.affineMap(Mlp.activation(1), h, Mlp.preactivation(2));
        for (int k = 0; k < 80; k++) {
            assertEquals(mlp.weights()[1][k], layer.a()[k], 0);
        }
    }

    @Test
    void jvpIsAv() throws Exception {
        Mlp mlp = OnnxModelBuilder.mlp(23, 5, 12, 12, 2);
        PiecewiseLinear pl = open(mlp, "jvp");
        Random r = new Random(3);
        for (int trial = 0; trial < 5; trial++) {
            float[] x = Reference.gaussian(r, 5, 1);
            float[] v = Reference.gaussian(r, 5, 1);
            AffineMap map = pl.affineMap(Mlp.INPUT, x, Mlp.OUTPUT);
            float[] jv = pl.jvp(Mlp.INPUT, x, v, Mlp.OUTPUT);
            for (int i = 0; i < 2; i++) {
                double s = 0;
                for (int j = 0; j < 5; j++) {
                    s += map.a()[i * 5 + j] * v[j];
                }
                assertEquals(s, jv[i], 1e-6);
            }
        }
    }

    /** The exactness test: on random segments of random MLPs, the walk finds exactly the code changes that dense sampling sees. */
    @Test
    void walkEqualsDenseSamplingOnRandomSegments() throws Exception {
        int[][] shapes = {{2, 16, 16, 3}, {5, 24, 20, 2}, {3, 12, 12, 12, 4}};
        Random r = new Random(4);
        int total = 0;
        for (int k = 0; k < shapes.length; k++) {
            Mlp mlp = OnnxModelBuilder.mlp(100 + k, shapes[k]);
            PiecewiseLinear pl = open(mlp, "walk" + k);
            for (int s = 0; s < 3; s++) {
                float[] a = Reference.gaussian(r, shapes[k][0], 2);
                float[] b = Reference.gaussian(r, shapes[k][0], 2);
                List<Crossing> crossings = pl.walk(Mlp.INPUT, a, b, List.of());
                assertMatchesSampling(mlp, 1, a, b, crossings, "mlp " + k + " segment " + s);
                total += crossings.size();
            }
        }
        assertTrue(total > 100, "the segments cross enough boundaries to mean something: " + total);
    }

    @Test
    void walkOfChosenSitesAndFromAHiddenLayer() throws Exception {
        Mlp mlp = OnnxModelBuilder.mlp(31, 3, 14, 14, 14, 2);
        PiecewiseLinear pl = open(mlp, "walk-sites");
        Random r = new Random(6);
        float[] a = Reference.gaussian(r, 3, 2);
        float[] b = Reference.gaussian(r, 3, 2);
        List<Crossing> all = pl.walk(Mlp.INPUT, a, b, List.of());
        List<Crossing> second = pl.walk(Mlp.INPUT, a, b, List.of(Mlp.relu(2)));
        List<Crossing> expected = all.stream().filter(c -> c.site().equals(Mlp.relu(2))).toList();
        assertEquals(expected.size(), second.size());
        for (int i = 0; i < expected.size(); i++) {
            // Same neurons; t up to rounding (the full walk also steps at relu3's boundaries).
            assertEquals(expected.get(i).neuron(), second.get(i).neuron());
            assertEquals(expected.get(i).t(), second.get(i).t(), 1e-12);
        }

        // From relu1.out's space: only relu2 and relu3 are downstream; compare with sampling in that space.
        float[] ha = Reference.gaussian(r, 14, 1);
        float[] hb = Reference.gaussian(r, 14, 1);
        List<Crossing> hidden = pl.walk(Mlp.activation(1), ha, hb, List.of());
        assertTrue(hidden.stream().noneMatch(c -> c.site().equals(Mlp.relu(1))));
        Mlp tail = tail(mlp);
        assertMatchesSampling(tail, 1, ha, hb, hidden.stream()
                .map(c -> new Crossing(c.t(), c.site().equals(Mlp.relu(2)) ? Mlp.relu(1) : Mlp.relu(2), c.neuron())).toList(), "hidden");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pl.walk(Mlp.activation(1), ha, hb, List.of(Mlp.relu(1))));
        assertTrue(e.getMessage().contains("relu1") && e.getMessage().contains("relu2"), e.getMessage());
    }

    /** Two identical neurons cross at exactly the same t: both are reported, and nothing else breaks. */
    @Test
    void simultaneousCrossingsAreAllReported() throws Exception {
        Mlp base = OnnxModelBuilder.mlp(41, 2, 8, 6, 2);
        float[] w1 = base.weights()[0].clone();
        float[] b1 = base.biases()[0].clone();
        System.arraycopy(w1, 0, w1, 2, 2); // neuron 1 := neuron 0
        b1[1] = b1[0];
        Mlp mlp = rebuild(base, new float[][] {w1, base.weights()[1], base.weights()[2]}, new float[][] {b1, base.biases()[1], base.biases()[2]});
        PiecewiseLinear pl = open(mlp, "twins");
        Random r = new Random(8);
        int twins = 0;
        for (int s = 0; s < 6; s++) {
            float[] a = Reference.gaussian(r, 2, 3);
            float[] b = Reference.gaussian(r, 2, 3);
            List<Crossing> crossings = pl.walk(Mlp.INPUT, a, b, List.of());
            assertMatchesSampling(mlp, 1, a, b, crossings, "twins segment " + s);
            for (Crossing c : crossings) {
                if (c.site().equals(Mlp.relu(1)) && c.neuron() == 0) {
                    twins++;
                    assertTrue(crossings.stream().anyMatch(d -> d.site().equals(Mlp.relu(1)) && d.neuron() == 1 && d.t() == c.t()),
                            "neuron 1 crosses with neuron 0 at t=" + c.t());
                }
            }
        }
        assertTrue(twins > 0, "some segment crosses the twin neurons' boundary");
    }

    @Test
    void maxCrossingsFromTheParametersStopsALongWalk() throws Exception {
        Mlp mlp = OnnxModelBuilder.mlp(51, 2, 16, 16, 2);
        try (Model m = BACKEND.open(mlp.save(dir.resolve("limited.onnx")), Parameters.of(Map.of("max.crossings", 2)))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.piecewiseLinear().orElseThrow().walk(Mlp.INPUT, new float[] {-5, -5}, new float[] {5, 5}, List.of()));
            assertTrue(e.getMessage().contains("max_crossings"), e.getMessage());
        }
    }

    /**
     * Samples {@value #SAMPLES} codes on the segment (in double) and checks that between every two
     * consecutive samples the crossings found toggle exactly the bits that changed, and that the
     * number of crossings equals the number of bit changes seen.
     */
    private static void assertMatchesSampling(Mlp mlp, int firstLayer, float[] a, float[] b, List<Crossing> crossings, String what) {
        int hidden = mlp.hiddenLayers();
        double[] ad = Reference.toDouble(a);
        double[] bd = Reference.toDouble(b);
        for (int i = 1; i < crossings.size(); i++) {
            assertTrue(crossings.get(i - 1).t() <= crossings.get(i).t(), what + ": crossings in increasing t");
        }
        crossings.forEach(c -> assertTrue(c.t() > 0 && c.t() < 1, what + ": t in (0, 1): " + c));
        int next = 0;
        int changes = 0;
        BitSet previous = Reference.code(mlp, ad, firstLayer, hidden);
        for (int s = 1; s < SAMPLES; s++) {
            double t = (double) s / (SAMPLES - 1);
            double[] p = new double[ad.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = ad[i] + t * (bd[i] - ad[i]);
            }
            BitSet code = Reference.code(mlp, p, firstLayer, hidden);
            BitSet toggled = new BitSet();
            while (next < crossings.size() && crossings.get(next).t() <= t) {
                Crossing c = crossings.get(next++);
                int layer = Integer.parseInt(c.site().substring("relu".length()));
                toggled.flip(Reference.offset(mlp, firstLayer, layer) + c.neuron());
            }
            BitSet diff = (BitSet) code.clone();
            diff.xor(previous);
            changes += diff.cardinality();
            assertEquals(diff, toggled, what + ": bits changed between samples " + (s - 1) + " and " + s);
            previous = code;
        }
        assertEquals(next, crossings.size(), what + ": every crossing lies on the segment");
        assertEquals(changes, crossings.size(), what + ": crossings = code changes seen by sampling");
    }

    private static double[] apply(AffineMap m, double[] x) {
        double[] y = m.c().clone();
        for (int i = 0; i < m.outputs(); i++) {
            for (int j = 0; j < m.inputs(); j++) {
                y[i] += m.a()[i * m.inputs() + j] * x[j];
            }
        }
        return y;
    }

    /** The MLP without its first layer: its input is relu1.out. */
    private static Mlp tail(Mlp mlp) {
        int[] w = java.util.Arrays.copyOfRange(mlp.widths(), 1, mlp.widths().length);
        return new Mlp(mlp.model(), w, java.util.Arrays.copyOfRange(mlp.weights(), 1, mlp.weights().length),
                java.util.Arrays.copyOfRange(mlp.biases(), 1, mlp.biases().length));
    }

    /** An MLP of the same widths and node names with the given weights. */
    private static Mlp rebuild(Mlp base, float[][] weights, float[][] biases) {
        int[] widths = base.widths();
        OnnxModelBuilder b = new OnnxModelBuilder("mlp").input(Mlp.INPUT, -1, widths[0]);
        String x = Mlp.INPUT;
        for (int l = 0; l < weights.length; l++) {
            String fc = "fc" + (l + 1);
            b.initializer(fc + ".weight", weights[l], widths[l + 1], widths[l]).initializer(fc + ".bias", biases[l], widths[l + 1]);
            boolean last = l == weights.length - 1;
            String pre = last ? Mlp.OUTPUT : fc + ".out";
            b.gemm(fc, x, fc + ".weight", fc + ".bias", pre, true);
            if (!last) {
                x = "relu" + (l + 1) + ".out";
                b.relu("relu" + (l + 1), pre, x);
            }
        }
        b.output(Mlp.OUTPUT, -1, widths[widths.length - 1]);
        return new Mlp(b.build(), widths, weights, biases);
    }
}
