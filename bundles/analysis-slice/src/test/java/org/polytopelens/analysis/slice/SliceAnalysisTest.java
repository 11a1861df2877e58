package org.polytopelens.analysis.slice;

import org.polytopelens.testkit.HandContext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.npy.NpyReader;

/**
 * A 2-D ReLU layer on its own input plane: neurons relu(x - 0.5) and relu(x + y), so the
 * boundaries are the lines x = 0.5 and y = -x. Examples a = (0, 0), b = (1, 0), c = (0.3, 0.8)
 * give u = (1, 0), v = (0, 1): plane coordinates are input coordinates, the grid covers [-0.25,
 * 1.25] x [-0.35, 1.15] at margin 0.25, and no grid point lies on either line.
 */
class SliceAnalysisTest {
    /** One ReLU layer relu(w x + b) as the hand context's net (the slice needs codes only). */
    static HandContext context(Path dir, float[][] points, int[] labels, double[][] w, double[] b, int threads) {
        return new HandContext(dir, points, labels, threads).model("hand", new HandContext.Net(w, b, new double[1][w.length], new double[1]), false);
    }

    static HandContext.Net net(HandContext ctx) {
        return (HandContext.Net) ctx.encoders.values().iterator().next();
    }

    static final float[][] POINTS = {{0, 0}, {1, 0}, {0.3f, 0.8f}, {2, 0}};
    static final int[] LABELS = {4, 7, 9, 1};
    static final double[][] W = {{1, 0}, {1, 1}};
    static final double[] B = {-0.5, 0};

    @TempDir
    Path dir;

    float[] run(Path out, int threads, Map<String, Object> params, HandContext[] keep) throws Exception {
        try (HandContext ctx = context(out, POINTS, LABELS, W, B, threads)) {
            new SliceAnalysis().run(ctx, Parameters.of(params));
            if (keep != null) {
                keep[0] = ctx;
            }
            try (NpyReader r = NpyReader.open(out.resolve("slice.npy"))) {
                assertArrayEquals(new long[] {(long) Math.sqrt(r.rows() * r.rowSize()), (long) Math.sqrt(r.rows() * r.rowSize())}, r.shape());
                return r.readFloats(0, r.rows());
            }
        }
    }

    /** Which side of the two lines: +1 / -1 per neuron, in double. */
    static int[] side(double x, double y) {
        return new int[] {x - 0.5 > 0 ? 1 : 0, x + y > 0 ? 1 : 0};
    }

    @Test
    void boundaryPixelsAreExactlyThoseAdjacentAcrossTheLines() throws Exception {
        int n = 64;
        HandContext[] ctx = new HandContext[1];
        float[] img = run(dir, 2, Map.of("resolution", n, "smoothing", 0.0), ctx);
        double step = 1.5 / (n - 1), x0 = -0.25, y0 = (double) 0.8f / 2 + 0.75; // c is stored as float
        int nonzero = 0, two = 0;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                int[] s = side(x0 + c * step, y0 - r * step);
                int expected = 0;
                if (c + 1 < n) {
                    int[] t = side(x0 + (c + 1) * step, y0 - r * step);
                    expected += Math.abs(s[0] - t[0]) + Math.abs(s[1] - t[1]);
                }
                if (r + 1 < n) {
                    int[] t = side(x0 + c * step, y0 - (r + 1) * step);
                    expected += Math.abs(s[0] - t[0]) + Math.abs(s[1] - t[1]);
                }
                assertEquals(expected, img[r * n + c], 0, "pixel row " + r + " col " + c);
                nonzero += expected > 0 ? 1 : 0;
                two += expected == 2 ? 1 : 0;
            }
        }
        // x = 0.5 lies between columns 31 and 32: a full column of n pixels; y = -x is a
        // staircase crossing the grid's lower left corner region: about one pixel per row it spans.
        assertTrue(nonzero > n + 20 && nonzero < 3 * n, "boundary pixels " + nonzero);
        assertEquals(n, countColumn(img, n, 31), "every pixel of column 31 sees x = 0.5 to its right");
        // y = -x at column 0 (x = -0.25): between rows 37 and 38 (y = 0.25 at row 37.8); pixels (37, 0)
        // and (38, 0) see it below and to the right; the lines meet off the grid, so no pixel sees both.
        assertEquals(1, img[37 * n], 0);
        assertEquals(1, img[38 * n], 0);
        assertEquals(0, img[36 * n], 0);
        assertEquals(0, img[39 * n], 0);
        assertEquals(0, two, "the lines meet at (0.5, -0.5), below the grid");

        JsonNode j = new ObjectMapper().readTree(dir.resolve("slice.json").toFile());
        JsonNode m = j.get("models").get("hand");
        assertEquals(x0, m.get("x0").asDouble(), 1e-12);
        assertEquals(y0, m.get("y0").asDouble(), 1e-12);
        assertEquals(step, m.get("step").asDouble(), 1e-12);
        // a = (0,0), b = (1,0), c = (0.3,0.8) at (col, row) = ((x - x0)/step, (y0 - y)/step).
        double[][] xy = {{0, 0}, {1, 0}, {0.3f, 0.8f}};
        String[] abc = {"a", "b", "c"};
        HeatMap map = (HeatMap) ctx[0].published.get(0);
        for (int k = 0; k < 3; k++) {
            JsonNode px = m.get("points").get(abc[k]).get("pixel_col_row");
            double col = (xy[k][0] - x0) / step, row = (y0 - xy[k][1]) / step;
            assertEquals(col, px.get(0).asDouble(), 1e-4, abc[k]);
            assertEquals(row, px.get(1).asDouble(), 1e-4, abc[k]);
            assertEquals(col, map.marks().get(k).x(), 1e-4);
            assertEquals(row, map.marks().get(k).y(), 1e-4);
            assertEquals(k + ": class " + LABELS[k], map.marks().get(k).label());
        }
        assertEquals(48.3, m.get("points").get("a").get("pixel_col_row").get(1).asDouble(), 1e-4);
        // Regions on the grid: (x > 0.5, x + y > 0), (x < 0.5, x + y > 0), (x < 0.5, x + y < 0).
        assertEquals(3, m.get("distinct_codes").asInt());
        assertEquals(2, m.get("code_bits").asInt());
        double mean = 0;
        for (float v : img) {
            mean += v;
        }
        assertEquals(mean / (n * n), m.get("mean_boundary_density").asDouble(), 1e-9);
        assertEquals(nonzero / (double) (n * n), m.get("boundary_pixel_fraction").asDouble(), 1e-12);

        assertEquals("slice-heatmap", map.name());
        assertEquals(n, map.width());
        assertTrue(map.title().contains("example 0 (class 4), example 1 (class 7), example 2 (class 9)"), map.title());
        assertTrue(map.title().contains("input space"), map.title());
        assertArrayEquals(img, map.values(), "smoothing 0 publishes the raw distances");
    }

    private static int countColumn(float[] img, int n, int col) {
        int k = 0;
        for (int r = 0; r < n; r++) {
            k += img[r * n + col] > 0 ? 1 : 0;
        }
        return k;
    }

    @Test
    void streamingDoesNotChangeTheImage() throws Exception {
        int n = 97;
        float[] ref = run(dir.resolve("b16"), 1, Map.of("resolution", n), null);
        for (int batch : new int[] {1, 5, 96, 97, 200}) {
            HandContext[] ctx = new HandContext[1];
            float[] img = run(dir.resolve("b" + batch), 2, Map.of("resolution", n, "batch.size", batch), ctx);
            assertArrayEquals(ref, img, "batch_size " + batch);
            assertArrayEquals(Files.readAllBytes(dir.resolve("b16/slice.npy")), Files.readAllBytes(dir.resolve("b" + batch + "/slice.npy")));
            // A shard codes its rows plus one, in chunks of at most CHUNK_POINTS points.
            assertTrue(net(ctx[0]).largestBatch.get() <= Math.max(n, Math.min((batch + 1) * n, SliceAnalysis.CHUNK_POINTS)),
                    "largest encoder batch " + net(ctx[0]).largestBatch.get());
        }
    }

    @Test
    void smoothingPreservesInteriorSumAndConstants() {
        int w = 41, h = 37;
        float[] img = new float[w * h];
        img[18 * w + 20] = 5;
        float[] two = img.clone();
        two[17 * w + 21] = 2;
        for (double sigma : new double[] {0.5, 1, 2.5}) {
            double sum = 0;
            for (float v : Gaussian.smooth(two, w, h, sigma)) {
                sum += v;
            }
            assertEquals(7, sum, 1e-4, "sigma " + sigma);
            float[] s = Gaussian.smooth(img, w, h, sigma);
            assertEquals(s[18 * w + 19], s[18 * w + 21], 1e-6, "symmetric about the impulse");
            assertEquals(s[17 * w + 20], s[19 * w + 20], 1e-6, "symmetric about the impulse");
            assertTrue(s[18 * w + 20] < 5 && s[18 * w + 20] > s[18 * w + 19], "peak stays at the impulse, lowered");
        }
        float[] flat = new float[w * h];
        java.util.Arrays.fill(flat, 3);
        for (float v : Gaussian.smooth(flat, w, h, 2)) {
            assertEquals(3, v, 1e-5, "renormalised at the borders");
        }
        assertArrayEquals(img, Gaussian.smooth(img, w, h, 0));
        float[] k = Gaussian.kernel(1.0);
        assertEquals(7, k.length, "radius 3 sigma");
    }

    @Test
    void smoothedHeatMapKeepsTheSumOfInteriorBoundaries() throws Exception {
        // Only x = 0.5 on the plane (second neuron off): a vertical line far from the left and right borders.
        try (HandContext ctx = context(dir, POINTS, LABELS, new double[][] {{1, 0}}, new double[] {-0.5}, 2)) {
            new SliceAnalysis().run(ctx, Parameters.of(Map.of("resolution", 64, "smoothing", 2.0)));
            HeatMap map = (HeatMap) ctx.published.get(0);
            double sum = 0;
            for (float v : map.values()) {
                sum += v;
            }
            assertEquals(64, sum, 1e-3, "one boundary pixel per row, spread but not lost");
            assertTrue(map.valueLabel().contains("sigma 2.0"), map.valueLabel());
        }
    }

    @Test
    void largeGridsArePublishedAsBlockMeans() throws Exception {
        HandContext[] ctx = new HandContext[1];
        int n = 1500;
        float[] img = run(dir, 2, Map.of("resolution", n, "smoothing", 0.0, "batch.size", 64), ctx);
        HeatMap map = (HeatMap) ctx[0].published.get(0);
        assertEquals(750, map.width());
        assertEquals(750, map.height());
        float expected = (img[0] + img[1] + img[n] + img[n + 1]) / 4;
        assertEquals(expected, map.values()[0], 1e-6);
        double col = 0.25 / (1.5 / (n - 1));
        assertEquals((col + 0.5) / 2 - 0.5, map.marks().get(0).x(), 1e-3);
        assertTrue(map.title().contains("2 x 2 block means of 1500 x 1500"), map.title());
    }

    @Test
    void badParametersAreNamed() {
        Map<String, String> cases = Map.of(
                "0,1,3", "collinear", // (0,0), (1,0), (2,0)
                "0,0,1", "three different indices",
                "0,1,9", "example 9 is not in the dataset (valid: 0 to 3)",
                "0,1", "three dataset indices");
        cases.forEach((ex, message) -> {
            int[] idx = java.util.Arrays.stream(ex.split(",")).mapToInt(Integer::parseInt).toArray();
            try (HandContext ctx = context(dir, POINTS, LABELS, W, B, 1)) {
                Exception e = assertThrows(IllegalArgumentException.class,
                        () -> new SliceAnalysis().run(ctx, Parameters.of(Map.of("examples", idx, "resolution", 8))));
                assertTrue(e.getMessage().contains(message), e.getMessage());
            }
        });
        try (HandContext ctx = context(dir, POINTS, LABELS, W, B, 1)) {
            Exception e = assertThrows(IllegalArgumentException.class,
                    () -> new SliceAnalysis().run(ctx, Parameters.of(Map.of("resolution", 5000))));
            assertTrue(e.getMessage().contains("resolution must be 2 to 4096"), e.getMessage());
        }
    }
}
