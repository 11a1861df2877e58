package org.polytopelens.analysis.clusters;

import org.polytopelens.testkit.HandContext;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.ClusteringAlgorithm;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.Table;
import org.polytopelens.cluster.hdbscan.HdbscanClustering;
import org.polytopelens.npy.NpyReader;

/**
 * Three groups of 8 x 8 images with a bright block in a different place (top left, top right,
 * bottom half), 20 each, coded by three ReLUs that each sum one region minus a threshold: codes
 * 100, 010, 001, identical within a group. The real HDBSCAN* plugin clusters them.
 */
class ClusterAnalysisTest {
    static final int PER = 20;

    @TempDir
    Path dir;

    static boolean region(int g, int y, int x) {
        return switch (g) {
            case 0 -> y < 4 && x < 4;
            case 1 -> y < 4 && x >= 4;
            default -> y >= 4;
        };
    }

    /** Group g's images: 1 in its region, 0 elsewhere, plus uniform noise in [0, 0.1). */
    static float[][] images() {
        Random r = new Random(7);
        float[][] x = new float[3 * PER][64];
        for (int i = 0; i < x.length; i++) {
            int g = i / PER;
            for (int p = 0; p < 64; p++) {
                x[i][p] = (region(g, p / 8, p % 8) ? 1f : 0f) + 0.1f * r.nextFloat();
            }
        }
        return x;
    }

    /** Neuron g: sum of region g minus half its area (region sums are 16 or 32 when bright, at most 3.2 when dark). */
    static double[][] weights() {
        double[][] w = new double[3][64];
        for (int g = 0; g < 3; g++) {
            for (int p = 0; p < 64; p++) {
                w[g][p] = region(g, p / 8, p % 8) ? 1 : 0;
            }
        }
        return w;
    }

    static final double[] BIAS = {-8, -8, -16};

    /** Labels follow the groups except two of group 2's points, labelled 0. */
    static int[] labels() {
        int[] l = new int[3 * PER];
        for (int i = 0; i < l.length; i++) {
            l[i] = i / PER;
        }
        l[2 * PER] = 0;
        l[2 * PER + 1] = 0;
        return l;
    }

    HandContext context(String name, int[] labels, long[] shape) {
        double[][] w = weights();
        return new HandContext(dir.resolve(name), images(), labels, 2).pointShape(shape)
                .model("hand", new HandContext.Net(w, BIAS, new double[1][w.length], new double[1]), false);
    }

    static ClusterAnalysis analysis() {
        return new ClusterAnalysis(List.of(new HdbscanClustering()));
    }

    static JsonNode json(Path p) throws Exception {
        return new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void codesOfThreeGroups() throws Exception {
        try (HandContext ctx = context("codes", labels(), new long[] {1, 8, 8})) {
            analysis().run(ctx, Parameters.of(Map.of("gallery", 5)));
            JsonNode j = json(ctx.dir.resolve("clusters.json"));
            assertEquals("hdbscan", j.get("algorithm").asText());
            assertEquals(10, j.get("algorithm_params").get("min_cluster_size").asInt());
            JsonNode m = j.get("models").get("hand");
            assertEquals("hamming", m.get("distance").asText());
            assertEquals(3, m.get("code_bits").asInt());
            assertEquals(3, m.get("clusters").asInt());
            assertEquals(0, m.get("noise").asInt());
            // Contingency: clusters {0:20}, {1:20}, {2:18, 0:2}; classes of 22, 20, 18.
            double index = 3 * pairs(20) - pairs(20) + pairs(18) + pairs(2);
            double a = 3 * pairs(20), b = pairs(22) + pairs(20) + pairs(18), expected = a * b / pairs(60);
            assertEquals((index - expected) / ((a + b) / 2 - expected), m.get("adjusted_rand_index").asDouble(), 1e-12);
            double[] purities = new double[3];
            int[] majority = new int[3];
            for (int k = 0; k < 3; k++) {
                JsonNode c = m.get("cluster_list").get(k);
                assertEquals(PER, c.get("size").asInt());
                assertEquals(0, c.get("mean_distance").asDouble(), 0, "identical codes within a group");
                purities[k] = c.get("purity").asDouble();
                majority[k] = c.get("majority_class").asInt();
            }
            java.util.Arrays.sort(purities);
            java.util.Arrays.sort(majority);
            assertArrayEquals(new double[] {0.9, 1, 1}, purities, 1e-12);
            assertArrayEquals(new int[] {0, 1, 2}, majority);

            // clusters.npy: int64, one label per point, the same cluster for each group.
            try (NpyReader r = NpyReader.open(ctx.dir.resolve("clusters.npy"))) {
                assertArrayEquals(new long[] {60}, r.shape());
                assertEquals(org.polytopelens.npy.NpyDtype.INT64, r.dtype());
                long[] l = (long[]) r.readAll().data();
                for (int i = 0; i < 60; i++) {
                    assertEquals(l[i / PER * PER], l[i], "point " + i);
                    assertTrue(l[i] >= 0);
                }
                assertEquals(3, java.util.Arrays.stream(l).distinct().count());
            }

            Table t = (Table) ctx.published.stream().filter(x -> x.name().equals("clusters-summary")).findFirst().orElseThrow();
            assertEquals(4, t.rows().size(), "three clusters and the noise row");
            assertEquals(List.of("noise", 0, "", "", ""), t.rows().get(3));
            Histogram h = (Histogram) ctx.published.stream().filter(x -> x.name().equals("clusters-histogram")).findFirst().orElseThrow();
            assertEquals(60, h.values().length);
            assertEquals(3, h.groupNames().size());

            // Gallery: three rows of five 8 x 8 tiles; each first tile dark where its group is bright.
            BufferedImage img = ImageIO.read(ctx.dir.resolve("clusters-gallery.png").toFile());
            int[] size = Gallery.size(3, 5, 8, 8);
            assertEquals(size[0], img.getWidth());
            assertEquals(size[1], img.getHeight());
            for (int row = 0; row < 3; row++) {
                int top = Gallery.GAP + row * (8 * Gallery.SCALE + Gallery.GAP);
                int dark = 0;
                for (int y = 0; y < 8 * Gallery.SCALE; y++) {
                    for (int x = 0; x < 8 * Gallery.SCALE; x++) {
                        dark += (img.getRGB(Gallery.CAPTION + x, top + y) & 0xff) < 64 ? 1 : 0;
                    }
                }
                int expectedDark = 16 * Gallery.SCALE * Gallery.SCALE; // at least a 4 x 4 block of bright input
                assertTrue(dark >= expectedDark, "row " + row + ": " + dark + " dark pixels in its first tile");
            }
            String text = Files.readString(ctx.dir.resolve("clusters-examples.txt"));
            assertTrue(text.contains("majority class 2 (90%)"), text);
            assertTrue(text.contains("\n40\tpoint 40 (class 0)\n"), text);
        }
    }

    static double pairs(int n) {
        return n * (n - 1) / 2.0;
    }

    @Test
    void activationsEuclideanAndCosine() throws Exception {
        int[] truth = new int[3 * PER];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = i / PER;
        }
        for (String metric : List.of("euclidean", "cosine")) {
            try (HandContext ctx = context(metric, truth, new long[] {64})) {
                analysis().run(ctx, Parameters.of(Map.of("space", "activations", "metric", metric)));
                JsonNode m = json(ctx.dir.resolve("clusters.json")).get("models").get("hand");
                assertEquals(64, m.get("dimension").asInt());
                assertEquals(3, m.get("clusters").asInt(), metric);
                assertEquals(1.0, m.get("adjusted_rand_index").asDouble(), 1e-12, metric);
                double d = m.get("cluster_list").get(0).get("mean_distance").asDouble();
                assertTrue(d > 0 && d < (metric.equals("cosine") ? 0.1 : 1.0), metric + " mean distance " + d);
                // [64] is not an image shape: the text listing only.
                assertFalse(Files.exists(ctx.dir.resolve("clusters-gallery.png")));
                assertTrue(Files.exists(ctx.dir.resolve("clusters-examples.txt")));
            }
        }
    }

    @Test
    void withoutLabelsPurityAndAriAreOmitted() throws Exception {
        try (HandContext ctx = context("nolabels", null, new long[] {8, 8})) {
            analysis().run(ctx, Parameters.of(Map.of("soft", true)));
            JsonNode j = json(ctx.dir.resolve("clusters.json"));
            assertFalse(j.get("labels").asBoolean());
            JsonNode m = j.get("models").get("hand");
            assertEquals("expected hamming (soft codes)", m.get("distance").asText());
            assertEquals(3, m.get("clusters").asInt());
            assertNull(m.get("adjusted_rand_index"));
            assertNull(m.get("cluster_list").get(0).get("purity"));
            assertNull(m.get("cluster_list").get(0).get("majority_class"));
            Histogram h = (Histogram) ctx.published.stream().filter(x -> x.name().equals("clusters-histogram")).findFirst().orElseThrow();
            assertArrayEquals(new double[] {PER, PER, PER}, h.values(), "cluster sizes");
            assertTrue(Files.exists(ctx.dir.resolve("clusters-gallery.png")), "[8, 8] is an image shape");
            assertFalse(Files.readString(ctx.dir.resolve("clusters-examples.txt")).contains("majority"));
        }
    }

    @Test
    void unknownAlgorithmNamesTheAvailableOnes() throws Exception {
        ClusteringAlgorithm other = new ClusteringAlgorithm() {
            @Override
            public String id() {
                return "kmeans";
            }

            @Override
            public String name() {
                return "k-means";
            }

            @Override
            public String description() {
                return "stands in for a second plugin";
            }

            @Override
            public org.polytopelens.api.data.Clustering cluster(org.polytopelens.api.data.PointSet p, Parameters params,
                    org.polytopelens.api.Progress progress) {
                throw new AssertionError("not called");
            }
        };
        try (HandContext ctx = context("unknown", labels(), new long[] {64})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ClusterAnalysis(List.of(new HdbscanClustering(), other)).run(ctx, Parameters.of(Map.of("algorithm", "dbscan"))));
            assertEquals("unknown clustering algorithm 'dbscan': available [hdbscan, kmeans]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new ClusterAnalysis().run(ctx, Parameters.empty()));
            assertTrue(e.getMessage().contains("available none (install the clustering feature"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> analysis().run(ctx, Parameters.of(Map.of("space", "logits"))));
            assertTrue(e.getMessage().contains("\"codes\" or \"activations\""), e.getMessage());
        }
    }

    /** algorithm_params reach the algorithm under its Metatype ids (k, min.points), overriding the HDBSCAN ones. */
    @Test
    void algorithmParametersArePassedThrough() throws Exception {
        Map<String, Object> seen = new java.util.HashMap<>();
        ClusteringAlgorithm recording = new ClusteringAlgorithm() {
            @Override
            public String id() {
                return "one-cluster";
            }

            @Override
            public String name() {
                return "everything in one cluster";
            }

            @Override
            public String description() {
                return "records its parameters";
            }

            @Override
            public org.polytopelens.api.data.Clustering cluster(org.polytopelens.api.data.PointSet p, Parameters params,
                    org.polytopelens.api.Progress progress) {
                seen.putAll(params.asMap());
                double[] strength = new double[p.size()];
                java.util.Arrays.fill(strength, 1);
                return new org.polytopelens.api.data.Clustering(new int[p.size()], 1, strength);
            }
        };
        try (HandContext ctx = context("params", labels(), new long[] {64})) {
            new ClusterAnalysis(List.of(recording)).run(ctx, Parameters.of(Map.of("algorithm", "one-cluster",
                    "algorithm.params", new String[] {"k=7", "min_points = 3", "min_cluster_size=4"})));
            assertEquals("7", seen.get("k"));
            assertEquals("3", seen.get("min.points"));
            assertEquals("4", seen.get("min.cluster.size"), "overrides the analysis' own min_cluster_size");
            // The registry hands Metatype's empty default over as one empty string: no parameters.
            seen.clear();
            new ClusterAnalysis(List.of(recording)).run(ctx, Parameters.of(Map.of("algorithm", "one-cluster", "algorithm.params", new String[] {""})));
            assertEquals(java.util.Set.of("min.cluster.size", "min.samples", "selection"), seen.keySet());
            var e = assertThrows(IllegalArgumentException.class, () -> new ClusterAnalysis(List.of(recording)).run(ctx,
                    Parameters.of(Map.of("algorithm", "one-cluster", "algorithm.params", new String[] {"k"}))));
            assertTrue(e.getMessage().contains("key=value, got 'k'"), e.getMessage());
        }
    }

    @Test
    void adjustedRandIndexKnownValues() {
        // scikit-learn's documented examples of adjusted_rand_score.
        assertEquals(1.0, Stats.adjustedRand(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}), 1e-12);
        assertEquals(0.5714285714285715, Stats.adjustedRand(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}), 1e-12);
        assertEquals(-0.5, Stats.adjustedRand(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}), 1e-12);
        assertEquals(1.0, Stats.adjustedRand(new int[] {0, 0, 0}, new int[] {5, 5, 5}), 1e-12);
    }

    @Test
    void imageShapeRule() {
        assertArrayEquals(new int[] {28, 28}, Gallery.imageShape(new long[] {784}));
        assertArrayEquals(new int[] {28, 28}, Gallery.imageShape(new long[] {1, 28, 28}));
        assertArrayEquals(new int[] {16, 12}, Gallery.imageShape(new long[] {16, 12, 1}));
        assertNull(Gallery.imageShape(new long[] {64}));
        assertNull(Gallery.imageShape(new long[] {3, 32, 32}));
        assertNull(Gallery.imageShape(new long[] {12, 384}), "12 tokens of 384 dimensions: too elongated for an image");
        assertNull(Gallery.imageShape(new long[] {1, 2, 28}));
    }
}
