package org.polytopelens.analysis.density;

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
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.Table;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyArray;

class DensityAnalysisTest {
    @TempDir
    Path dir;

    static final double R2 = Math.sqrt(2);

    /** The unit square's corners, classes {0,0} below and {1,1} above; two hyperplanes x = 0.5 and y = 0.5. */
    static final float[][] SQUARE = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    static final float[][] W = {{1, 0}, {0, 1}};
    static final float[] B = {-0.5f, -0.5f};

    JsonNode run(HandContext ctx, Map<String, ?> params) throws Exception {
        new DensityAnalysis().run(ctx, Parameters.of(params));
        return new ObjectMapper().readTree(ctx.dir.resolve("density.json").toFile());
    }

    /**
     * Codes 00, 10, 01, 11. Intra pairs (0,1), (2,3): one bit over distance 1 -> 1, 1. Inter pairs
     * (0,2), (1,3): 1/1; (0,3), (1,2): 2/sqrt 2. Mean over all six: (4 + 2 sqrt 2) / 6.
     */
    @Test
    void densitiesOfTheSquareAreTheHandComputedOnes() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("a"), SQUARE, new int[] {0, 0, 1, 1}, 2).model("net", new Hyperplanes(W, B, false))) {
            JsonNode j = run(ctx, Map.of("pairs", 0, "bootstrap", 2000));
            double norm = (4 + 2 * R2) / 6;
            double intra = 1 / norm, inter = (1 + R2) / 2 / norm;
            JsonNode m = j.get("models").get("net");
            assertEquals(6, j.get("pairs_sampled").asLong());
            assertTrue(j.get("all_pairs").asBoolean());
            assertEquals(6, m.get("pairs").asLong());
            assertEquals(0, m.get("skipped").asLong());
            assertEquals(2, m.get("code_bits").asInt());
            assertEquals(norm, m.get("mean_raw_density").asDouble(), 1e-12);
            assertEquals(2, m.get("intra").get("n").asLong());
            assertEquals(4, m.get("inter").get("n").asLong());
            assertEquals(intra, m.get("intra").get("mean").asDouble(), 1e-12);
            assertEquals(inter, m.get("inter").get("mean").asDouble(), 1e-12);
            // Intra densities are all equal: every resample has the same mean (float storage aside).
            assertEquals(intra, m.get("intra").get("ci_low").asDouble(), 1e-6);
            assertEquals(intra, m.get("intra").get("ci_high").asDouble(), 1e-6);

            // Welch: intra variance 0, inter values {1, r2, r2, 1} / norm -> sample variance below; df = n2 - 1 = 3.
            double v2 = 4 * Math.pow((R2 - 1) / 2, 2) / 3 / (norm * norm);
            double t = (intra - inter) / Math.sqrt(v2 / 4);
            assertEquals(t, m.get("welch").get("t").asDouble(), 1e-9);
            assertEquals(3, m.get("welch").get("df").asDouble(), 1e-9);
            assertEquals(StudentT.integratedTwoSidedP(t, 3), m.get("welch").get("p").asDouble(), 1e-9);

            // density-pairs.npy: i, j, normalised density, in pair order.
            NpyArray pairs = Npy.read(ctx.dir.resolve("density-pairs.npy"));
            assertArrayEquals(new long[] {6, 3}, pairs.shape());
            float[] f = (float[]) pairs.data();
            double[][] expected = {{0, 1, 1}, {0, 2, 1}, {0, 3, R2}, {1, 2, R2}, {1, 3, 1}, {2, 3, 1}};
            for (int k = 0; k < 6; k++) {
                assertEquals(expected[k][0], f[3 * k]);
                assertEquals(expected[k][1], f[3 * k + 1]);
                assertEquals(expected[k][2] / norm, f[3 * k + 2], 1e-6);
            }

            Table table = (Table) ctx.published.get(0);
            assertEquals("density-summary", table.name());
            assertEquals(List.of("net"), table.rows().stream().map(r -> r.get(0)).toList());
            BarPlot bars = (BarPlot) ctx.published.get(1);
            assertEquals("density-intra-inter", bars.name());
            assertEquals(List.of("intra-class", "inter-class"), bars.categories());
            assertArrayEquals(new double[] {intra, inter}, bars.values()[0], 1e-12);
            assertTrue(bars.lower()[0][1] <= inter && inter <= bars.upper()[0][1]);
        }
    }

    @Test
    void askingForMorePairsThanThereAreTakesEachPairOnce() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("b"), SQUARE, new int[] {0, 0, 1, 1}, 1).model("net", new Hyperplanes(W, B, false))) {
            JsonNode j = run(ctx, Map.of("pairs", 1000, "bootstrap", 100));
            assertTrue(j.get("all_pairs").asBoolean());
            assertEquals(6, j.get("models").get("net").get("pairs").asLong());
            assertEquals((1 + R2) / 2 / ((4 + 2 * R2) / 6), j.get("models").get("net").get("inter").get("mean").asDouble(), 1e-12);
        }
    }

    @Test
    void pairsOfTheSamePointAreSkippedAndCounted() throws Exception {
        float[][] pts = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 0}};
        try (HandContext ctx = new HandContext(dir.resolve("c"), pts, new int[] {0, 0, 1, 1, 0}, 2).model("net", new Hyperplanes(W, B, false))) {
            JsonNode m = run(ctx, Map.of("pairs", 0, "bootstrap", 100)).get("models").get("net");
            assertEquals(9, m.get("pairs").asLong());
            assertEquals(1, m.get("skipped").asLong());
            // Point 4 repeats point 0: intra (0,1), (2,3), (1,4) all 1; inter (0,2), (1,3), (2,4): 1 and (0,3), (1,2), (3,4): sqrt 2.
            double norm = (6 + 3 * R2) / 9;
            assertEquals(1 / norm, m.get("intra").get("mean").asDouble(), 1e-12);
            assertEquals(3, m.get("intra").get("n").asLong());
            assertEquals((3 + 3 * R2) / 6 / norm, m.get("inter").get("mean").asDouble(), 1e-12);
            float[] f = (float[]) Npy.read(ctx.dir.resolve("density-pairs.npy")).data();
            assertTrue(Float.isNaN(f[3 * 3 + 2]), "pair (0, 4) is at distance 0");
        }
    }

    @Test
    void withoutLabelsTheAnalysisSaysWhatIsMissing() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("d"), SQUARE, null, 1).model("net", new Hyperplanes(W, B, false))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(ctx, Map.of()));
            assertTrue(e.getMessage().contains("the density analysis needs class labels: give the dataset a labels file"), e.getMessage());
            assertFalse(Files.exists(ctx.dir.resolve("density.json")));
        }
    }

    @Test
    void badParametersNameTheParameter() throws Exception {
        try (HandContext ctx = new HandContext(dir.resolve("e"), SQUARE, new int[] {0, 0, 1, 1}, 1).model("net", new Hyperplanes(W, B, false))) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> run(ctx, Map.of("confidence", 1.0))).getMessage().contains("confidence"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> run(ctx, Map.of("max.points", 1))).getMessage().contains("at least 2 points"));
        }
    }

    /** Random points in 4-D, three classes with separate centres, 24 random hyperplanes. */
    static HandContext random(Path dir, int n, int threads, int models) {
        Random rnd = new Random(11);
        float[][] pts = new float[n][4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int d = 0; d < 4; d++) {
                pts[i][d] = (float) (rnd.nextGaussian() + (d == labels[i] ? 3 : 0));
            }
        }
        HandContext ctx = new HandContext(dir, pts, labels, threads);
        for (int m = 0; m < models; m++) {
            float[][] w = new float[24][4];
            float[] b = new float[24];
            for (int k = 0; k < 24; k++) {
                for (int d = 0; d < 4; d++) {
                    w[k][d] = (float) rnd.nextGaussian();
                }
                b[k] = (float) rnd.nextGaussian();
            }
            ctx.model(m == 0 ? "trained" : "untrained", new Hyperplanes(w, b, false));
        }
        return ctx;
    }

    @Test
    void bootstrapIntervalsContainTheMeanAndShrinkWithMorePairs() throws Exception {
        double[] widths = new double[2];
        int[] pairs = {300, 0};
        for (int r = 0; r < 2; r++) {
            try (HandContext ctx = random(dir.resolve("f" + r), 150, 2, 1)) {
                JsonNode m = run(ctx, Map.of("pairs", pairs[r], "bootstrap", 2000)).get("models").get("trained");
                for (String g : List.of("intra", "inter")) {
                    JsonNode x = m.get(g);
                    assertEquals("percentile bootstrap", x.get("ci_method").asText());
                    assertTrue(x.get("ci_low").asDouble() < x.get("mean").asDouble() && x.get("mean").asDouble() < x.get("ci_high").asDouble(), x.toString());
                }
                widths[r] = m.get("inter").get("ci_high").asDouble() - m.get("inter").get("ci_low").asDouble();
                if (r == 1) {
                    assertEquals(150 * 149 / 2, m.get("pairs").asLong());
                }
            }
        }
        // 11,175 pairs against 300: the width should shrink about sqrt(37) ~ 6 times.
        assertTrue(widths[1] < widths[0] / 3, "CI width with all pairs " + widths[1] + " vs 300 pairs " + widths[0]);
    }

    @Test
    void theSameSeedGivesTheSameResultOnAnyNumberOfThreads() throws Exception {
        Map<String, Object> p = Map.of("pairs", 5000, "bootstrap", 1000, "seed", 42);
        String one, two, other;
        try (HandContext ctx = random(dir.resolve("g1"), 200, 1, 2)) {
            run(ctx, p);
            one = Files.readString(ctx.dir.resolve("density.json"));
        }
        try (HandContext ctx = random(dir.resolve("g2"), 200, 2, 2)) {
            run(ctx, p);
            two = Files.readString(ctx.dir.resolve("density.json"));
            assertArrayEquals(Files.readAllBytes(dir.resolve("g1/density-pairs.npy")), Files.readAllBytes(ctx.dir.resolve("density-pairs.npy")));
        }
        assertEquals(one, two);
        try (HandContext ctx = random(dir.resolve("g3"), 200, 2, 2)) {
            run(ctx, Map.of("pairs", 5000, "bootstrap", 1000, "seed", 43));
            other = Files.readString(ctx.dir.resolve("density.json"));
        }
        assertNotEquals(one, other);
    }

    @Test
    void severalModelsAreMeasuredOnTheSamePairsSideBySide() throws Exception {
        try (HandContext ctx = random(dir.resolve("h"), 120, 2, 2)) {
            JsonNode j = run(ctx, Map.of("pairs", 2000, "bootstrap", 500));
            assertEquals(List.of("trained", "untrained"), iterable(j.get("models").fieldNames()));
            assertEquals(List.of("i", "j", "trained", "untrained"), List.of(j.get("pairs_file_columns").get(0).asText(), j.get("pairs_file_columns")
                    .get(1).asText(), j.get("pairs_file_columns").get(2).asText(), j.get("pairs_file_columns").get(3).asText()));
            assertArrayEquals(new long[] {2000, 4}, Npy.read(ctx.dir.resolve("density-pairs.npy")).shape());
            BarPlot bars = (BarPlot) ctx.published.get(1);
            assertEquals(List.of("trained", "untrained"), bars.series());
            for (String role : List.of("trained", "untrained")) {
                JsonNode m = j.get("models").get(role);
                assertEquals(2000, m.get("pairs").asLong());
                // Normalised: the pair-weighted mean of the two groups is 1.
                double mean = (m.get("intra").get("n").asLong() * m.get("intra").get("mean").asDouble()
                        + m.get("inter").get("n").asLong() * m.get("inter").get("mean").asDouble()) / 2000;
                assertEquals(1, mean, 1e-9);
            }
        }
    }

    @Test
    void softCodesOfHardGatesGiveTheHardResult() throws Exception {
        String hard, soft;
        try (HandContext ctx = new HandContext(dir.resolve("s1"), SQUARE, new int[] {0, 0, 1, 1}, 1).model("net", new Hyperplanes(W, B, true))) {
            hard = run(ctx, Map.of("pairs", 0, "bootstrap", 200)).get("models").toString();
        }
        try (HandContext ctx = new HandContext(dir.resolve("s2"), SQUARE, new int[] {0, 0, 1, 1}, 1).model("net", new Hyperplanes(W, B, true))) {
            soft = run(ctx, Map.of("pairs", 0, "bootstrap", 200, "soft", true)).get("models").toString();
        }
        assertEquals(hard, soft);
        // Genuinely soft (sigmoid) codes: the expected Hamming distance of (0,0) and (1,0) is
        // s(-.5)(1-s(.5)) + s(.5)(1-s(-.5)) + 2 s(-.5)(1-s(-.5)) for the two hyperplanes.
        try (HandContext ctx = new HandContext(dir.resolve("s3"), new float[][] {{0, 0}, {1, 0}}, new int[] {0, 0}, 1).model("net", new Hyperplanes(W, B, false))) {
            JsonNode m = run(ctx, Map.of("pairs", 0, "bootstrap", 10, "soft", true)).get("models").get("net");
            double lo = 1 / (1 + Math.exp(0.5)), hi = 1 / (1 + Math.exp(-0.5));
            assertEquals(lo * (1 - hi) + hi * (1 - lo) + 2 * lo * (1 - lo), m.get("mean_raw_density").asDouble(), 1e-6);
            assertEquals(0, m.get("inter").get("n").asLong());
            assertTrue(m.get("welch").get("p").isNull(), "no inter-class pairs: no test");
        }
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /**
     * The all-pairs loop in tiles visits every pair once and gives each pair the density a direct
     * computation gives it (hamming / Euclidean distance in double), at any thread count.
     */
    @Test
    void allPairsInTilesMatchADirectComputation() throws Exception {
        int n = 3 * DensityAnalysis.TILE + 17, dim = 20, bits = 70;
        Random r = new Random(11);
        float[] pts = new float[n * dim];
        for (int k = 0; k < pts.length; k++) {
            pts[k] = (float) r.nextGaussian();
        }
        System.arraycopy(pts, 0, pts, 5 * dim, dim); // one duplicate point: its pair is skipped
        int wpr = org.polytopelens.api.data.SplineCodes.wordsPerRow(bits);
        long[] words = new long[n * wpr];
        for (int k = 0; k < words.length; k++) {
            words[k] = r.nextLong() & (k % wpr == wpr - 1 ? (1L << (bits % 64)) - 1 : -1L);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        Space space = new Space(n, dim, pts, new org.polytopelens.api.data.SplineCodes(n, bits, words), null);
        Pairs all = Pairs.sample(n, Long.MAX_VALUE, 1);
        assertTrue(all.isAll());
        for (int threads : new int[] {1, 2}) {
            try (org.polytopelens.core.internal.ParallelEngine engine = new org.polytopelens.core.internal.ParallelEngine(threads)) {
                DensityAnalysis.Block b = DensityAnalysis.pairDensities(engine, org.polytopelens.api.Progress.NONE, space, labels, all, true);
                double sum = 0;
                long count = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        double dd = 0;
                        for (int k = 0; k < dim; k++) {
                            double x = (double) pts[i * dim + k] - pts[j * dim + k];
                            dd += x * x;
                        }
                        float raw = b.raw()[(int) (all.rowStart(i) + j - i - 1)];
                        if (dd == 0) {
                            assertTrue(Float.isNaN(raw), "pair " + i + ", " + j);
                            continue;
                        }
                        double want = space.codeDistance(i, j) / Math.sqrt(dd);
                        assertEquals(want, raw, 1e-5 * want, "pair " + i + ", " + j);
                        sum += want;
                        count++;
                    }
                }
                assertEquals(1, b.skipped());
                assertEquals(count, b.all().n);
                assertEquals(sum / count, b.all().mean, 1e-9 * sum / count);
            }
        }
    }
}
