package org.polytopelens.analysis.interpolation;

import org.polytopelens.testkit.HandContext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.LinePlot;

class InterpolationAnalysisTest {
    @TempDir
    Path dir;

    static JsonNode run(HandContext ctx, Map<String, ?> params) throws Exception {
        new InterpolationAnalysis().run(ctx, Parameters.of(params));
        return new ObjectMapper().readTree(ctx.dir.resolve("interpolation.json").toFile());
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        }
        return d;
    }

    static double[] unit(Random r, int d) {
        double[] v = new double[d];
        double n = 0;
        for (int i = 0; i < d; i++) {
            v[i] = r.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < d; i++) {
            v[i] /= Math.sqrt(n);
        }
        return v;
    }

    static float[] f(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void slerpHitsTheEndpointsKeepsUnitNormAndBisectsOrthogonalVectors() {
        Random r = new Random(11);
        for (int trial = 0; trial < 20; trial++) {
            float[] a = f(unit(r, 7)), b = f(unit(r, 7));
            assertArrayEquals(toDouble(a), InterpolationAnalysis.slerp(a, b, 0), 1e-7);
            assertArrayEquals(toDouble(b), InterpolationAnalysis.slerp(a, b, 1), 1e-7);
            for (double t = 0; t <= 1; t += 0.125) {
                assertEquals(1, norm(InterpolationAnalysis.slerp(a, b, t)), 1e-6, "unit vectors stay on the unit sphere at t = " + t);
            }
            // Constant angular speed: the angle from a at t is t times the angle between a and b.
            double omega = Math.acos(dot(toDouble(a), toDouble(b)) / norm(toDouble(a)) / norm(toDouble(b)));
            double[] p = InterpolationAnalysis.slerp(a, b, 0.3);
            assertEquals(0.3 * omega, Math.acos(Math.min(1, dot(p, toDouble(a)) / norm(p) / norm(toDouble(a)))), 1e-5);
        }
        // Orthogonal unit vectors: at t = 1/2 the point is (a + b) / sqrt 2.
        float[] a = {1, 0, 0}, b = {0, 1, 0};
        assertArrayEquals(new double[] {Math.sqrt(.5), Math.sqrt(.5), 0}, InterpolationAnalysis.slerp(a, b, 0.5), 1e-12);
        // The norm runs linearly from |a| to |b|.
        assertEquals(2.5, norm(InterpolationAnalysis.slerp(new float[] {2, 0}, new float[] {0, 3}, 0.5)), 1e-12);
        // Parallel and opposite directions, and a zero endpoint: the straight line.
        assertArrayEquals(new double[] {2, 4}, InterpolationAnalysis.slerp(new float[] {1, 2}, new float[] {3, 6}, 0.5), 1e-12);
        assertArrayEquals(new double[] {0, 0}, InterpolationAnalysis.slerp(new float[] {1, 2}, new float[] {-1, -2}, 0.5), 1e-12);
        assertArrayEquals(new double[] {.25, .5}, InterpolationAnalysis.slerp(new float[] {0, 0}, new float[] {1, 2}, 0.25), 1e-12);
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    /**
     * In the plane, the neuron with weights (sin th, -cos th) and no bias has pre-activation
     * sin(th - phi) |p| at angle phi: its boundary is the ray at angle th. The path from (1, 0) to
     * (0, 1) is the quarter circle phi = t pi / 2, and with 4 steps its chords join phi = k pi / 8;
     * a chord crosses the ray at th iff th lies between its ends. Rays at pi/16, 5pi/16 (two
     * neurons: +-) and 7pi/16: crossings 1, 0, 2, 1 on chords of length 2 sin(pi/16). Class 0 is
     * the + neuron at 5pi/16 (active for phi < 5pi/16, i.e. t < 5/8), class 1 the - neuron.
     */
    static HandContext.Net fan() {
        double[] th = {Math.PI / 16, 5 * Math.PI / 16, 7 * Math.PI / 16};
        double[][] w1 = {{Math.sin(th[0]), -Math.cos(th[0])}, {Math.sin(th[1]), -Math.cos(th[1])}, {-Math.sin(th[1]), Math.cos(th[1])},
                {Math.sin(th[2]), -Math.cos(th[2])}};
        return new HandContext.Net(w1, new double[4], new double[][] {{0, 1, 0, 0}, {0, 0, 1, 0}}, new double[2]);
    }

    @Test
    void exactCrossingsOnAQuarterCircleAreTheClosedFormOnes() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("fan"), new float[][] {{1, 0}, {0, 1}}, new int[] {0, 1}, 2).model("net", fan(), true)) {
            JsonNode j = run(ctx, Map.of("pairs", 3, "steps", 4, "samples", 40, "radius", 0.05));
            assertArrayEquals(new double[] {0, .25, .5, .75, 1}, doubles(j.get("t")), 1e-15);
            assertArrayEquals(new double[] {.125, .375, .625, .875}, doubles(j.get("exact_t")), 1e-15);
            JsonNode m = j.get("models").get("net");
            assertEquals("exact and sampled", m.get("method").asText());
            assertEquals(0, m.get("same_class").get("pairs").asInt(), "two examples of two classes: no same-class pair");
            JsonNode d = m.get("different_class");
            assertEquals(3, d.get("pairs").asInt());
            double chord = 2 * Math.sin(Math.PI / 16);
            assertArrayEquals(new double[] {1 / chord, 0, 2 / chord, 1 / chord}, doubles(d.get("exact_mean")), 1e-5);
            assertArrayEquals(new double[] {0, 0, 0, 0}, doubles(d.get("exact_sem")), 1e-5, "the same path three times");
            // Every position is at least sin(pi/16) = 0.195 from a boundary, beyond the 0.05 radius: no neighbour changes code.
            assertArrayEquals(new double[5], doubles(d.get("sampled_mean")), 0);
            assertArrayEquals(new double[] {1, 1, 1, 0, 0}, doubles(d.get("predicts_class_a")), 0);
            assertArrayEquals(new double[] {0, 0, 0, 1, 1}, doubles(d.get("predicts_class_b")), 0);

            LinePlot density = (LinePlot) ctx.published.get(0);
            assertEquals("interpolation-density", density.name());
            assertEquals(List.of("net different-class, sampled", "net different-class, exact"), density.lines().stream().map(LinePlot.Line::label).toList());
            LinePlot cls = (LinePlot) ctx.published.get(1);
            assertEquals("interpolation-class", cls.name());
            assertEquals(List.of("net different-class: predicts a's class", "net different-class: predicts b's class"),
                    cls.lines().stream().map(LinePlot.Line::label).toList());
        }
    }

    /**
     * 1-D: a = 1 (class 1), b = 4 (class 0), parallel, so the straight line through x = 1, 2, 3, 4.
     * One boundary at x = 2.5; y0 = relu(x - 2.5) against y1 = 0.25. Radius 0.24 x mean norm 2.5 =
     * 0.6: the neighbours of x = 2 and x = 3 cross the boundary on one side of two, each at
     * distance 0.6, so the sampled density there is about (1/2) / 0.6; at x = 1 and 4 it is 0.
     */
    @Test
    void sampledDensityInOneDimensionCountsTheNeighboursAcrossTheKink() throws Exception {
        HandContext.Net kink = new HandContext.Net(new double[][] {{1}}, new double[] {-2.5}, new double[][] {{1}, {0}}, new double[] {0, 0.25});
        for (boolean exact : new boolean[] {true, false}) {
            try (HandContext ctx = new HandContext(dir.resolve("k" + exact), new float[][] {{1}, {4}}, new int[] {1, 0}, 1).model("net", kink, exact)) {
                JsonNode d = run(ctx, Map.of("pairs", 1, "steps", 3, "samples", 2000, "radius", 0.24)).get("models").get("net").get("different_class");
                double[] s = doubles(d.get("sampled_mean"));
                assertEquals(0, s[0], 0);
                assertEquals(0, s[3], 0);
                assertEquals(0.5 / 0.6, s[1], 0.08);
                assertEquals(0.5 / 0.6, s[2], 0.08);
                if (exact) {
                    assertArrayEquals(new double[] {0, 1, 0}, doubles(d.get("exact_mean")), 1e-9);
                } else {
                    assertFalse(d.has("exact_mean"));
                }
                assertArrayEquals(new double[] {1, 1, 0, 0}, doubles(d.get("predicts_class_a")), 0);
                assertArrayEquals(new double[] {0, 0, 1, 1}, doubles(d.get("predicts_class_b")), 0);
            }
        }
    }

    @Test
    void pairsAreSeededOfTheRightKindAndOrdered() {
        int[] labels = {0, 1, 2, 0, 1, 2, 0, 3};
        List<InterpolationAnalysis.Pair> p = InterpolationAnalysis.pairs(labels, labels.length, 30, 5);
        assertEquals(60, p.size());
        for (int k = 0; k < 60; k++) {
            InterpolationAnalysis.Pair q = p.get(k);
            assertTrue(q.a() < q.b(), q.toString());
            assertEquals(labels[q.a()], q.classA());
            assertEquals(labels[q.b()], q.classB());
            assertEquals(k < 30, q.same(), q.toString());
            assertNotEquals(7, k < 30 ? q.a() : -1, "class 3 has one example: never in a same-class pair");
        }
        assertEquals(p, InterpolationAnalysis.pairs(labels, labels.length, 30, 5));
        assertNotEquals(p, InterpolationAnalysis.pairs(labels, labels.length, 30, 6));
        assertEquals(3, InterpolationAnalysis.pairs(new int[] {4, 4, 4}, 3, 3, 1).size(), "one class: same-class pairs only");
        assertTrue(InterpolationAnalysis.pairs(new int[] {4}, 1, 3, 1).isEmpty());
    }

    /** A random one-hidden-layer net on 3-D points: 40 neurons, 3 classes. */
    static HandContext.Net random(long seed) {
        Random r = new Random(seed);
        double[][] w1 = new double[40][3], w2 = new double[3][40];
        double[] b1 = new double[40], b2 = new double[3];
        for (int k = 0; k < 40; k++) {
            for (int d = 0; d < 3; d++) {
                w1[k][d] = r.nextGaussian();
            }
            b1[k] = r.nextGaussian();
            for (int j = 0; j < 3; j++) {
                w2[j][k] = r.nextGaussian();
            }
        }
        return new HandContext.Net(w1, b1, w2, b2);
    }

    static HandContext randomContext(Path dir, int threads, int n) {
        Random r = new Random(5);
        float[][] pts = new float[n][3];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int d = 0; d < 3; d++) {
                pts[i][d] = (float) (2 * r.nextGaussian());
            }
        }
        return new HandContext(dir, pts, labels, threads);
    }

    @Test
    void theSameSeedGivesTheSameResultOnAnyNumberOfThreads() throws Exception {
        Map<String, Object> p = Map.of("pairs", 9, "steps", 20, "samples", 30, "seed", 42);
        String one, two;
        try (HandContext ctx = randomContext(dir.resolve("d1"), 1, 30).model("trained", random(1), true).model("untrained", random(2), false)) {
            run(ctx, p);
            one = Files.readString(ctx.dir.resolve("interpolation.json"));
        }
        try (HandContext ctx = randomContext(dir.resolve("d2"), 2, 30).model("trained", random(1), true).model("untrained", random(2), false)) {
            JsonNode j = run(ctx, p);
            two = Files.readString(ctx.dir.resolve("interpolation.json"));
            assertEquals("exact and sampled", j.get("models").get("trained").get("method").asText());
            assertEquals("sampled", j.get("models").get("untrained").get("method").asText());
            assertEquals(9, j.get("models").get("trained").get("same_class").get("pairs").asInt());
            assertEquals(9, j.get("models").get("trained").get("different_class").get("pairs").asInt());
            assertEquals(6, ((LinePlot) ctx.published.get(0)).lines().size(), "trained: 2 kinds x (sampled, exact); untrained: 2 x sampled");
            assertEquals(6, ((LinePlot) ctx.published.get(1)).lines().size(), "per role: same (1) + different (2)");
            // Same-class paths start and end in the pair's class only if the net predicts the labels; but t = 0 is a, t = 1 is b exactly.
            JsonNode same = j.get("models").get("trained").get("same_class");
            assertArrayEquals(doubles(same.get("predicts_class_a")), doubles(same.get("predicts_class_b")), 0);
        }
        assertEquals(one, two);
        try (HandContext ctx = randomContext(dir.resolve("d3"), 2, 30).model("trained", random(1), true).model("untrained", random(2), false)) {
            run(ctx, Map.of("pairs", 9, "steps", 20, "samples", 30, "seed", 43));
            assertNotEquals(one, Files.readString(ctx.dir.resolve("interpolation.json")));
        }
    }

    /** With one hidden layer a neuron flips at most once on a chord, and the random net's boundaries are dense enough that both estimates see them. */
    @Test
    void sampledAndExactAgreeInOrderOfMagnitude() throws Exception {
        try (HandContext ctx = randomContext(dir.resolve("o"), 2, 30).model("net", random(3), true)) {
            JsonNode m = run(ctx, Map.of("pairs", 10, "steps", 20, "samples", 50, "radius", 0.1)).get("models").get("net");
            for (String kind : List.of("same_class", "different_class")) {
                double s = mean(doubles(m.get(kind).get("sampled_mean"))), e = mean(doubles(m.get(kind).get("exact_mean")));
                assertTrue(s > 0 && e > 0, kind + ": sampled " + s + ", exact " + e);
                assertTrue(s / e > 0.1 && s / e < 10, kind + ": sampled " + s + ", exact " + e);
            }
        }
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    @Test
    void withoutLabelsTheErrorSaysLabelsAreNeeded() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("l"), new float[][] {{1, 0}, {0, 1}}, null, 1).model("net", fan(), true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(ctx, Map.of()));
            assertTrue(e.getMessage().contains("needs class labels"), e.getMessage());
            assertFalse(Files.exists(ctx.dir.resolve("interpolation.json")));
        }
    }

    @Test
    void badParametersNameTheParameter() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("p"), new float[][] {{1, 0}, {0, 1}}, new int[] {0, 1}, 1).model("net", fan(), true)) {
            for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("pairs", 0), Map.of("steps", 0), Map.of("samples", 0),
                    Map.of("radius", 0.0))) {
                String key = bad.keySet().iterator().next();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(ctx, bad));
                assertTrue(e.getMessage().startsWith(key), e.getMessage());
            }
            assertFalse(Files.exists(ctx.dir.resolve("interpolation.json")));
        }
        try (HandContext ctx = new HandContext(dir.resolve("q"), new float[][] {{1, 0}}, new int[] {0}, 1).model("net", fan(), true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(ctx, Map.of()));
            assertTrue(e.getMessage().startsWith("no pairs"), e.getMessage());
        }
    }
}
