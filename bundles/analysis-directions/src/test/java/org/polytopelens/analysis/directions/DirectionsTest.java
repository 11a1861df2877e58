package org.polytopelens.analysis.directions;

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
import org.polytopelens.api.data.Histogram;
import org.polytopelens.testkit.HandContext;

class DirectionsTest {
    @TempDir
    Path dir;

    /** X = W H with non-negative W (n x 3) and H (3 x 12) whose rows have disjoint supports. */
    static double[][] planted(double[][] h, int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][h[0].length];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < h.length; a++) {
                double w = r.nextDouble();
                for (int j = 0; j < h[0].length; j++) {
                    x[i][j] += w * h[a][j];
                }
            }
        }
        return x;
    }

    static double[][] disjointParts() {
        double[][] h = new double[3][12];
        for (int a = 0; a < 3; a++) {
            for (int j = 4 * a; j < 4 * a + 4; j++) {
                h[a][j] = 1 + j % 3;
            }
        }
        return h;
    }

    static double cos(double[] a, double[] b) {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    @Test
    void nmfRecoversPlantedNonNegativeFactors() {
        double[][] h = disjointParts();
        double[][] x = planted(h, 200, 1);
        Factorizations.Result f = Factorizations.nmf(x, 3, 20000, 1e-14, 7);
        assertTrue(f.error() < 1e-3, "relative reconstruction error " + f.error());
        for (double[] truth : h) { // each planted part is one of the components, up to order and scale
            double best = 0;
            for (double[] c : f.components()) {
                best = Math.max(best, cos(truth, c));
            }
            assertTrue(best > 0.999, "best cosine " + best);
        }
        assertEquals(1.0, f.weights()[0] + f.weights()[1] + f.weights()[2], 1e-9);
    }

    /** Points on an ellipse with axes (3, 1) rotated by 30 degrees: PCA's first axis is the major axis, shares 9/10 and 1/10. */
    @Test
    void pcaOfAnEllipseIsItsAxes() {
        int n = 3600;
        double t = Math.toRadians(30);
        double[][] x = new double[n][2];
        for (int i = 0; i < n; i++) {
            double s = 2 * Math.PI * i / n;
            double u = 3 * Math.cos(s), v = Math.sin(s);
            x[i][0] = 5 + u * Math.cos(t) - v * Math.sin(t);
            x[i][1] = -2 + u * Math.sin(t) + v * Math.cos(t);
        }
        Factorizations.Result f = Factorizations.pca(x, 2);
        assertEquals(1.0, Math.abs(cos(f.components()[0], new double[] {Math.cos(t), Math.sin(t)})), 1e-9);
        assertEquals(0.9, f.weights()[0], 1e-6);
        assertEquals(0.1, f.weights()[1], 1e-6);
        assertEquals(0, f.error(), 1e-9);
    }

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("method", "nmf", "components", 3, "color.by", "labels", "clustering.params", new String[0],
                "max.points", 1000, "top", 10, "histograms", 3, "iterations", 2000, "seed", 7L));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Examples of class a are made of part a only: each direction's top examples are one class, and the histograms are coloured by class. */
    @Test
    void eachPlantedPartIsADirectionWhoseTopExamplesShareAClass() throws Exception {
        double[][] h = disjointParts();
        Random r = new Random(3);
        int n = 90;
        float[][] pts = new float[n][12];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            double w = 0.5 + r.nextDouble();
            for (int j = 0; j < 12; j++) {
                pts[i][j] = (float) (w * h[labels[i]][j] + 0.01 * r.nextDouble());
            }
        }
        HandContext.Net net = new HandContext.Net(new double[][] {new double[12]}, new double[] {0}, new double[][] {{1}}, new double[] {0});
        try (HandContext ctx = new HandContext(dir.resolve("a"), pts, labels, 1).model("net", net, false)) {
            new DirectionsAnalysis(List.of()).run(ctx, Parameters.of(params()));
            JsonNode j = new ObjectMapper().readTree(ctx.dir.resolve("directions.json").toFile());
            JsonNode m = j.get("models").get("net");
            assertTrue(m.get("error").asDouble() < 0.01, m.get("error").toString());
            java.util.Set<String> majorities = new java.util.HashSet<>();
            for (JsonNode d : m.get("directions")) {
                assertEquals(1.0, d.get("top_purity").asDouble(), 1e-12, d.toString());
                assertEquals(1, d.get("top_groups_with_20_percent").asInt());
                majorities.add(d.get("top_majority_group").asText());
                // the listed cosines are the cosines of those examples with the written direction
                assertTrue(d.get("top").get(0).get("cosine").asDouble() > 0.99);
            }
            assertEquals(java.util.Set.of("class 0", "class 1", "class 2"), majorities);
            Histogram hist = (Histogram) ctx.published.get(0);
            assertEquals(n, hist.values().length);
            assertEquals(List.of("class 0", "class 1", "class 2"), hist.groupNames());
            assertTrue(ctx.dir.resolve("directions.npy").toFile().length() > 3 * 12 * 4);
        }
    }

    @Test
    void negativeActivationsAreRefusedForNmf() throws Exception {
        float[][] pts = {{1, -2}, {3, 4}, {5, 6}};
        HandContext.Net net = new HandContext.Net(new double[][] {{0, 0}}, new double[] {0}, new double[][] {{1}}, new double[] {0});
        try (HandContext ctx = new HandContext(dir.resolve("b"), pts, new int[] {0, 1, 0}, 1).model("net", net, false)) {
            var e = assertThrows(IllegalArgumentException.class, () -> new DirectionsAnalysis(List.of()).run(ctx, Parameters.of(params("components", 1))));
            assertTrue(e.getMessage().contains("non-negative") && e.getMessage().contains("method: pca"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> new DirectionsAnalysis(List.of()).run(ctx, Parameters.of(params("method", "pca", "components", 1, "color.by", "kmeans"))));
            assertTrue(e.getMessage().contains("neither labels nor a clustering plugin"), e.getMessage());
        }
    }

    /** GELU-like activations: planted parts plus small negative values where a part is absent; clipped, NMF still finds the parts. */
    @Test
    void smallNegativesCanBeClippedForNmfAndTheTopExamplesAreListed() throws Exception {
        double[][] h = disjointParts();
        Random r = new Random(5);
        int n = 60;
        float[][] pts = new float[n][12];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 12; j++) {
                pts[i][j] = (float) ((0.5 + r.nextDouble()) * h[labels[i]][j] - 0.17 * r.nextDouble() * (h[labels[i]][j] == 0 ? 1 : 0));
            }
        }
        HandContext.Net net = new HandContext.Net(new double[][] {new double[12]}, new double[] {0}, new double[][] {{1}}, new double[] {0});
        try (HandContext ctx = new HandContext(dir.resolve("c"), pts, labels, 1).model("net", net, false)) {
            var e = assertThrows(IllegalArgumentException.class, () -> new DirectionsAnalysis(List.of()).run(ctx, Parameters.of(params())));
            assertTrue(e.getMessage().contains("negatives: clip"), e.getMessage());
        }
        try (HandContext ctx = new HandContext(dir.resolve("d"), pts, labels, 1).model("net", net, false)) {
            new DirectionsAnalysis(List.of()).run(ctx, Parameters.of(params("negatives", "clip")));
            JsonNode m = new ObjectMapper().readTree(ctx.dir.resolve("directions.json").toFile()).get("models").get("net");
            for (JsonNode d : m.get("directions")) {
                assertEquals(1.0, d.get("top_purity").asDouble(), 1e-12, d.toString());
            }
            String top = java.nio.file.Files.readString(ctx.dir.resolve("directions-top.txt"));
            assertTrue(top.startsWith("# the ") && top.contains("net direction 0") && top.contains("\tclass "), top);
        }
    }
}
