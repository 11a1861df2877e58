package org.polytopelens.analysis.affine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.testkit.HandContext;

/**
 * One hidden ReLU layer: crossing neuron k's boundary switches its term w2[:,k] w1[k,:] in or out
 * of A = W2 diag(g) W1, so the Frobenius distance between the maps of two regions is the norm of
 * the sum of the switched terms: a closed form the tests compute by hand.
 */
class AffineMapsAnalysisTest {
    @TempDir
    Path dir;

    /** x = (u, v): neurons u > 0, v > 0 and u + v > 1; outputs y0 = h0 + 2 h1 + 3 h2, y1 = h1 - h2. */
    static HandContext.Net net() {
        return new HandContext.Net(new double[][] {{1, 0}, {0, 1}, {1, 1}}, new double[] {0, 0, -1},
                new double[][] {{1, 2, 3}, {0, 1, -1}}, new double[] {0, 0});
    }

    static Map<String, Object> params(Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>(Map.of("paths", 1, "max.gap", 10, "max.regions", 200, "max.points", 0, "seed", 1L));
        p.putAll(overrides);
        return p;
    }

    static JsonNode run(HandContext ctx, Map<String, Object> params) throws Exception {
        new AffineMapsAnalysis().run(ctx, Parameters.of(params));
        return new ObjectMapper().readTree(ctx.dir.resolve("affine-maps.json").toFile());
    }

    /**
     * The segment (-1,-1) -> (2,2) crosses u = 0 and v = 0 together at t = 1/3 (one change of two
     * bits) and u + v = 1 at t = 1/2. Regions 0, 1, 2 have gates {}, {0,1}, {0,1,2}: pairs (0,1)
     * Hamming 2, |[[1,2],[0,1]]| = sqrt 6; (1,2) Hamming 1, |w2[:,2]| |w1[2]| = sqrt 10 sqrt 2;
     * (0,2) Hamming 3, |[[4,5],[-1,0]]| = sqrt 42.
     */
    @Test
    void distancesAreTheClosedFormsOfTheSwitchedTerms() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("a"), new float[][] {{-1, -1}, {2, 2}}, null, 1).model("net", net(), true)) {
            JsonNode m = run(ctx, params(Map.of())).get("models").get("net");
            assertEquals(3, m.get("regions").asInt());
            assertEquals(3, m.get("region_pairs").asInt());
            JsonNode b = m.get("by_hamming");
            assertEquals(List.of(1, 2, 3), List.of(b.get(0).get("hamming").asInt(), b.get(1).get("hamming").asInt(), b.get(2).get("hamming").asInt()));
            assertEquals(Math.sqrt(20), b.get(0).get("frobenius_mean").asDouble(), 1e-9);
            assertEquals(Math.sqrt(6), b.get(1).get("frobenius_mean").asDouble(), 1e-9);
            assertEquals(Math.sqrt(42), b.get(2).get("frobenius_mean").asDouble(), 1e-9);
            // Pearson r of (1, sqrt 20), (2, sqrt 6), (3, sqrt 42), computed directly.
            double[] x = {1, 2, 3}, y = {Math.sqrt(20), Math.sqrt(6), Math.sqrt(42)};
            double mx = 2, my = (y[0] + y[1] + y[2]) / 3, sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < 3; i++) {
                sxy += (x[i] - mx) * (y[i] - my);
                sxx += (x[i] - mx) * (x[i] - mx);
                syy += (y[i] - my) * (y[i] - my);
            }
            assertEquals(sxy / Math.sqrt(sxx * syy), m.get("pearson_r").asDouble(), 1e-9);
            LinePlot plot = (LinePlot) ctx.published.get(0);
            assertEquals("affine-maps-by-hamming", plot.name());
            assertEquals(Math.sqrt(6), plot.lines().get(0).y()[1], 1e-9);
        }
    }

    @Test
    void gapAndRegionCapsLimitThePairs() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("b"), new float[][] {{-1, -1}, {2, 2}}, null, 1).model("net", net(), true)) {
            JsonNode m = run(ctx, params(Map.of("max.gap", 1))).get("models").get("net");
            assertEquals(2, m.get("region_pairs").asInt(), "only neighbours on the path");
        }
        try (HandContext ctx = new HandContext(dir.resolve("c"), new float[][] {{-1, -1}, {2, 2}}, null, 1).model("net", net(), true)) {
            JsonNode m = run(ctx, params(Map.of("max.regions", 2))).get("models").get("net");
            assertEquals(2, m.get("regions").asInt());
            assertEquals(1, m.get("paths_truncated").asInt());
            assertEquals(1, m.get("region_pairs").asInt());
        }
    }

    /** Random net, random segments: each single flip of neuron k moves A by exactly |w2[:,k]| |w1[k]|. */
    @Test
    void singleFlipsOfARandomNetMoveTheMapByTheNeuronsRankOneTerm() throws Exception {
        Random r = new Random(5);
        int d = 5, k = 20, o = 4;
        double[][] w1 = new double[k][d], w2 = new double[o][k];
        double[] b1 = new double[k], b2 = new double[o];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < d; j++) {
                w1[i][j] = r.nextGaussian();
            }
            b1[i] = r.nextGaussian();
            for (int j = 0; j < o; j++) {
                w2[j][i] = r.nextGaussian();
            }
        }
        HandContext.Net net = new HandContext.Net(w1, b1, w2, b2);
        for (int trial = 0; trial < 10; trial++) {
            float[] a = new float[d], z = new float[d];
            for (int j = 0; j < d; j++) {
                a[j] = (float) (3 * r.nextGaussian());
                z[j] = (float) (3 * r.nextGaussian());
            }
            AffineMapsAnalysis.Buckets b = new AffineMapsAnalysis.Buckets();
            AffineMapsAnalysis.path(net, "x", "y", List.of("relu"), a, z, 1, 1000, b, Progress.NONE);
            List<Crossing> crossings = net.walk("x", a, z, List.of("relu"));
            double expected = 0;
            for (Crossing c : crossings) {
                double n1 = 0, n2 = 0;
                for (int j = 0; j < d; j++) {
                    n1 += w1[c.neuron()][j] * w1[c.neuron()][j];
                }
                for (int j = 0; j < o; j++) {
                    n2 += w2[j][c.neuron()] * w2[j][c.neuron()];
                }
                expected += Math.sqrt(n1 * n2);
            }
            assertEquals(crossings.size() + 1, b.regions);
            if (!crossings.isEmpty()) {
                double[] ones = b.sums.get(1);
                assertEquals(crossings.size(), (int) ones[0], "random hyperplanes: no two crossings at one t");
                assertEquals(expected, ones[1], 1e-6 * expected);
            }
        }
    }

    @Test
    void aBlackBoxModelIsRefusedNamingTheBackendThatWorks() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("d"), new float[][] {{-1, -1}, {2, 2}}, null, 1).model("net", net(), false)) {
            var e = assertThrows(IllegalArgumentException.class, () -> run(ctx, params(Map.of())));
            assertTrue(e.getMessage().contains("backend: nd4j"), e.getMessage());
        }
        try (HandContext ctx = new HandContext(dir.resolve("e"), new float[][] {{-1, -1}}, null, 1).model("net", net(), true)) {
            var e = assertThrows(IllegalArgumentException.class, () -> run(ctx, params(Map.of())));
            assertTrue(e.getMessage().contains("at least 2 examples"), e.getMessage());
        }
    }
}
