package org.polytopelens.analysis.scaling;

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

class ScalingAnalysisTest {
    @TempDir
    Path dir;

    /** y0 = relu(x - 1) + relu(x - 2), y1 = 1: on the ray alpha * 3 the boundaries are at alpha = 1/3 and 2/3. */
    static HandContext.Net kinks() {
        return new HandContext.Net(new double[][] {{1}, {1}}, new double[] {-1, -2}, new double[][] {{1, 1}, {0, 0}}, new double[] {0, 1});
    }

    static JsonNode run(HandContext ctx, Map<String, ?> params) throws Exception {
        new ScalingAnalysis().run(ctx, Parameters.of(params));
        return new ObjectMapper().readTree(ctx.dir.resolve("scaling.json").toFile());
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        }
        return d;
    }

    /**
     * Grid alpha = 0, 1/4, 1/2, 3/4, 1 on the ray to x = 3: one crossing in [1/4, 1/2] and one in
     * [1/2, 3/4], each interval 3/4 long, so the density is 0, 4/3, 4/3, 0. Logits at x = 0, .75,
     * 1.5, 2.25, 3: y0 = 0, 0, .5, 1.5, 3 against y1 = 1, so class 0 wins from alpha = 3/4.
     */
    @Test
    void crossingsOfTheKinkedNetAreTheClosedFormOnes() throws Exception {
        for (boolean exact : new boolean[] {true, false}) {
            try (HandContext ctx = new HandContext(dir.resolve("a" + exact), new float[][] {{3}}, new int[] {0}, 1).model("net", kinks(), true)) {
                JsonNode j = run(ctx, Map.of("alpha.max", 1.0, "steps", 4, "noise", false, "exact", exact));
                JsonNode m = j.get("models").get("net");
                assertEquals(exact ? "exact" : "sampled", m.get("method").asText());
                assertEquals(exact ? 1 : 0, ctx.encoders.keySet().stream().mapToInt(x -> ((HandContext.Net) ctx.encoders.get(x)).walks.size()).sum());
                assertArrayEquals(new double[] {0, .25, .5, .75, 1}, doubles(j.get("alpha")), 1e-15);
                assertArrayEquals(new double[] {.125, .375, .625, .875}, doubles(j.get("density_alpha")), 1e-15);
                JsonNode d = m.get("data");
                assertArrayEquals(new double[] {0, 4.0 / 3, 4.0 / 3, 0}, doubles(d.get("density_mean")), 1e-6);
                assertEquals(0.375, d.get("peak_alpha").asDouble(), 1e-12);
                assertEquals(4.0 / 3, d.get("peak_density").asDouble(), 1e-6);
                assertArrayEquals(new double[] {0, 0, .5, 1.5, 3}, doubles(d.get("true_logit_mean")), 1e-6);
                assertArrayEquals(new double[] {1, 1, 1, 1, 1}, doubles(d.get("other_logit_mean")), 1e-6);
                assertArrayEquals(new double[] {0, 0, 0, 1, 1}, doubles(d.get("accuracy")), 0);
                assertArrayEquals(new double[] {0, 0, 0, 1, 1}, doubles(d.get("prediction_unchanged")), 0);
                assertTrue(d.get("density_sem").get(0).isNull(), "one ray: no SEM");
                assertFalse(m.has("noise"));

                LinePlot density = (LinePlot) ctx.published.get(0);
                assertEquals("scaling-density", density.name());
                assertEquals(List.of("net data"), density.lines().stream().map(LinePlot.Line::label).toList());
                assertTrue(density.title().contains(exact ? "exact" : "sampled, a lower bound"), density.title());
                LinePlot logits = (LinePlot) ctx.published.get(1);
                assertEquals("scaling-logits", logits.name());
                assertEquals(List.of("net: true-class logit", "net: mean other logit"), logits.lines().stream().map(LinePlot.Line::label).toList());
                assertArrayEquals(new double[] {0, 0, .5, 1.5, 3}, logits.lines().get(0).y(), 1e-6);
            }
        }
    }

    /** x = 3 as above, x = -3 (no crossings: both pre-activations stay negative), x = 0 (no length: left out of the density). */
    @Test
    void meansAndSemsOverRaysLeaveOutTheZeroVector() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("b"), new float[][] {{3}, {-3}, {0}}, new int[] {0, 1, 1}, 2).model("net", kinks(), true)) {
            JsonNode d = run(ctx, Map.of("alpha.max", 1.0, "steps", 4, "noise", false)).get("models").get("net").get("data");
            assertEquals(3, d.get("rays").asInt());
            assertEquals(1, d.get("zero_vectors").asInt());
            assertArrayEquals(new double[] {0, 2.0 / 3, 2.0 / 3, 0}, doubles(d.get("density_mean")), 1e-6);
            // SEM of {4/3, 0}: sd = (4/3) / sqrt 2, over sqrt 2.
            assertArrayEquals(new double[] {0, 2.0 / 3, 2.0 / 3, 0}, doubles(d.get("density_sem")), 1e-6);
            // Rays 2 and 3 (label 1) give y0 = 0 < y1 = 1 everywhere: class 1, right.
            assertArrayEquals(new double[] {2.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1}, doubles(d.get("accuracy")), 1e-12);
        }
    }

    /** In 1-D a Gaussian direction with the example's norm is +x or -x: the noise ray repeats the data ray or crosses nothing. */
    @Test
    void noiseDirectionsHaveTheExamplesNormAndAreSeeded() throws Exception {
        float[] x = new float[784];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        double xn = norm(x);
        float[] a = ScalingAnalysis.noise(x, 1, 7);
        assertEquals(xn, norm(a), 1e-4 * xn);
        assertArrayEquals(a, ScalingAnalysis.noise(x, 1, 7));
        assertFalse(java.util.Arrays.equals(a, ScalingAnalysis.noise(x, 1, 8)));
        assertFalse(java.util.Arrays.equals(a, ScalingAnalysis.noise(x, 2, 7)));
        // Not the example's direction: nearly orthogonal in 784 dimensions (x is positive, the noise is centred).
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            dot += x[i] * a[i];
        }
        assertTrue(Math.abs(dot / (xn * xn)) < 0.2, "cosine " + dot / (xn * xn));

        for (long seed = 1; seed <= 4; seed++) {
            try (HandContext ctx = new HandContext(dir.resolve("n" + seed), new float[][] {{3}}, new int[] {0}, 1).model("net", kinks(), true)) {
                JsonNode m = run(ctx, Map.of("alpha.max", 1.0, "steps", 4, "seed", seed)).get("models").get("net");
                float n = ScalingAnalysis.noise(new float[] {3}, seed, 0)[0];
                assertEquals(3, Math.abs(n), 1e-6);
                double[] expected = n > 0 ? new double[] {0, 4.0 / 3, 4.0 / 3, 0} : new double[] {0, 0, 0, 0};
                assertArrayEquals(expected, doubles(m.get("noise").get("density_mean")), 1e-6, "seed " + seed + ", direction " + n);
                assertEquals(List.of("net data", "net noise"), ((LinePlot) ctx.published.get(0)).lines().stream().map(LinePlot.Line::label).toList());
            }
        }
    }

    static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
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

    /** With one hidden layer a neuron flips at most once on a ray, so the codes of a fine grid see every crossing the walk finds. */
    @Test
    void exactAndSampledAgreeOnAFineGrid() throws Exception {
        Map<String, Object> p = Map.of("alpha.max", 3.0, "steps", 300, "examples", 30);
        JsonNode exact, sampled;
        try (HandContext ctx = randomContext(dir.resolve("e1"), 2, 30).model("net", random(9), true)) {
            exact = run(ctx, p).get("models").get("net");
        }
        try (HandContext ctx = randomContext(dir.resolve("e2"), 2, 30).model("net", random(9), false)) {
            sampled = run(ctx, p).get("models").get("net");
        }
        assertEquals("exact", exact.get("method").asText());
        assertEquals("sampled", sampled.get("method").asText());
        for (String kind : List.of("data", "noise")) {
            double[] e = doubles(exact.get(kind).get("density_mean")), s = doubles(sampled.get(kind).get("density_mean"));
            double te = 0, ts = 0;
            int differ = 0;
            for (int k = 0; k < e.length; k++) {
                te += e[k];
                ts += s[k];
                differ += Math.abs(e[k] - s[k]) > 1e-9 ? 1 : 0;
            }
            assertTrue(te > 0, "the rays cross boundaries");
            assertEquals(te, ts, 1e-9 * te, kind + ": the same crossings in total");
            // float32 grid points against the walk's t: a crossing within rounding of a grid point may land one bin over.
            assertTrue(differ <= 2, kind + ": " + differ + " of " + e.length + " intervals differ");
            assertEquals(exact.get(kind).get("true_logit_mean"), sampled.get(kind).get("true_logit_mean"));
        }
    }

    @Test
    void theSameSeedGivesTheSameResultOnAnyNumberOfThreads() throws Exception {
        Map<String, Object> p = Map.of("alpha.max", 2.0, "steps", 40, "examples", 50, "seed", 42);
        String one, two;
        JsonNode other;
        try (HandContext ctx = randomContext(dir.resolve("d1"), 1, 50).model("trained", random(1), true).model("untrained", random(2), false)) {
            run(ctx, p);
            one = Files.readString(ctx.dir.resolve("scaling.json"));
        }
        try (HandContext ctx = randomContext(dir.resolve("d2"), 2, 50).model("trained", random(1), true).model("untrained", random(2), false)) {
            JsonNode j = run(ctx, p);
            two = Files.readString(ctx.dir.resolve("scaling.json"));
            assertEquals(List.of("trained", "untrained"), iterable(j.get("models").fieldNames()));
            assertEquals("exact", j.get("models").get("trained").get("method").asText());
            assertEquals("sampled", j.get("models").get("untrained").get("method").asText());
            assertEquals(4, ((LinePlot) ctx.published.get(0)).lines().size(), "two roles x (data, noise)");
            assertEquals(4, ((LinePlot) ctx.published.get(1)).lines().size(), "two roles x (true, other)");
        }
        assertEquals(one, two);
        try (HandContext ctx = randomContext(dir.resolve("d3"), 2, 50).model("trained", random(1), true).model("untrained", random(2), false)) {
            other = run(ctx, Map.of("alpha.max", 2.0, "steps", 40, "examples", 50, "seed", 43));
        }
        JsonNode first = new ObjectMapper().readTree(one);
        assertEquals(first.get("models").get("trained").get("data"), other.get("models").get("trained").get("data"), "data rays do not use the seed");
        assertNotEquals(first.get("models").get("trained").get("noise"), other.get("models").get("trained").get("noise"));
    }

    @Test
    void withoutLabelsTheReferenceIsTheUnscaledPrediction() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("l"), new float[][] {{3}, {-3}}, null, 1).model("net", kinks(), true)) {
            JsonNode j = run(ctx, Map.of("alpha.max", 1.0, "steps", 4, "noise", false));
            assertEquals("prediction at alpha = 1 (no labels)", j.get("reference_class").asText());
            JsonNode d = j.get("models").get("net").get("data");
            assertArrayEquals(doubles(d.get("prediction_unchanged")), doubles(d.get("accuracy")), 0);
            // x = 3 -> class 0 (logit y0), x = -3 -> class 1 (logit 1): mean true logits (y0(3a) + 1) / 2.
            assertArrayEquals(new double[] {.5, .5, .75, 1.25, 2}, doubles(d.get("true_logit_mean")), 1e-6);
        }
    }

    @Test
    void badParametersNameTheParameter() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("p"), new float[][] {{3}}, new int[] {0}, 1).model("net", kinks(), true)) {
            for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("steps", 0), Map.of("alpha.max", 0.0), Map.of("examples", 0))) {
                String key = bad.keySet().iterator().next().replace('.', '_');
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(ctx, bad));
                assertTrue(e.getMessage().startsWith(key), e.getMessage());
            }
            assertFalse(Files.exists(ctx.dir.resolve("scaling.json")));
        }
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
