package org.polytopelens.cluster.smile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import elki.clustering.hierarchical.AGNES;
import elki.clustering.hierarchical.extraction.CutDendrogramByNumberOfClusters;
import elki.data.Cluster;
import elki.data.NumberVector;
import elki.data.type.TypeUtil;
import elki.database.Database;
import elki.database.StaticArrayDatabase;
import elki.database.ids.DBIDIter;
import elki.database.ids.DBIDRange;
import elki.database.relation.Relation;
import elki.datasource.ArrayAdapterDatabaseConnection;
import elki.distance.minkowski.EuclideanDistance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.VectorPoints;
import org.polytopelens.npy.Npy;

class SmileClusteringTest {
    /** 4 well-separated Gaussian blobs of 50 points in 5-D, labels = blob. */
    static double[][] blobs(int[] truth, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[truth.length][5];
        for (int i = 0; i < x.length; i++) {
            truth[i] = i % 4;
            for (int k = 0; k < 5; k++) {
                x[i][k] = (k == truth[i] ? 20 : 0) + r.nextGaussian();
            }
        }
        return x;
    }

    static VectorPoints vectors(double[][] x) {
        float[] d = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < x[0].length; k++) {
                d[i * x[0].length + k] = (float) x[i][k];
            }
        }
        return new VectorPoints(Tensor.batch(x.length, new long[] {x[0].length}, d), VectorPoints.Metric.EUCLIDEAN);
    }

    /** Adjusted Rand index (Hubert and Arabie); noise (-1) counts as one more label. */
    static double ari(int[] a, int[] b) {
        Map<Long, Long> cells = new HashMap<>();
        Map<Integer, Long> ra = new HashMap<>(), rb = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1L, Long::sum);
            ra.merge(a[i], 1L, Long::sum);
            rb.merge(b[i], 1L, Long::sum);
        }
        double index = cells.values().stream().mapToDouble(SmileClusteringTest::pairs).sum();
        double sa = ra.values().stream().mapToDouble(SmileClusteringTest::pairs).sum();
        double sb = rb.values().stream().mapToDouble(SmileClusteringTest::pairs).sum();
        double expected = sa * sb / pairs(a.length);
        double max = (sa + sb) / 2;
        return max == expected ? 1 : (index - expected) / (max - expected);
    }

    static double pairs(long n) {
        return n * (n - 1) / 2.0;
    }

    static Parameters params(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Parameters.of(m);
    }

    @Test
    void kmeansFindsSeparatedBlobsAndIsSeeded() {
        int[] truth = new int[200];
        VectorPoints p = vectors(blobs(truth, 1));
        Parameters k4 = params("k", 4, "max.iterations", 100, "tolerance", 1e-4, "runs", 4, "seed", 1L);
        Clustering c = new KMeansClustering().cluster(p, k4, Progress.NONE);
        assertEquals(4, c.clusters());
        assertEquals(1.0, ari(truth, c.labels()), 1e-12);
        assertArrayEquals(c.labels(), new KMeansClustering().cluster(p, k4, Progress.NONE).labels(), "same seed, same partition");
        var e = assertThrows(IllegalArgumentException.class,
                () -> new KMeansClustering().cluster(p, params("k", 500, "max.iterations", 100, "tolerance", 1e-4, "runs", 1, "seed", 1L), Progress.NONE));
        assertTrue(e.getMessage().contains("k must be in [1, 200]"), e.getMessage());
    }

    /** Hard codes as 0/1 coordinates: two groups of codes, each near its own prototype. */
    @Test
    void kmeansAndDbscanOnBitPackedCodes() {
        int n = 60, bits = 100;
        Random r = new Random(2);
        SplineCodes.Builder b = new SplineCodes.Builder(n, bits);
        int[] truth = new int[n];
        for (int i = 0; i < n; i++) {
            truth[i] = i < n / 2 ? 0 : 1;
            for (int j = 0; j < bits; j++) {
                boolean prototype = truth[i] == 0 ? j < 50 : j >= 50;
                if (prototype ^ (r.nextDouble() < 0.03)) { // 3% of the bits flipped
                    b.set(i, j);
                }
            }
        }
        CodePoints codes = new CodePoints(b.build());
        Clustering k = new KMeansClustering().cluster(codes, params("k", 2, "max.iterations", 50, "tolerance", 1e-4, "runs", 2, "seed", 3L), Progress.NONE);
        assertEquals(1.0, ari(truth, k.labels()), 1e-12);
        // Within a group codes differ in ~6 bits, across groups in ~94: a radius of 20 bits separates them.
        Clustering d = new DbscanClustering().cluster(codes, params("eps", 20.0, "min.points", 4), Progress.NONE);
        assertEquals(2, d.clusters());
        assertEquals(1.0, ari(truth, d.labels()), 1e-12);
    }

    @Test
    void dbscanMarksIsolatedPointsAsNoise() {
        int[] truth = new int[200];
        double[][] x = Arrays.copyOf(blobs(truth, 4), 203);
        x[200] = new double[] {-50, 0, 0, 0, 0};
        x[201] = new double[] {0, -50, 0, 0, 0};
        x[202] = new double[] {0, 0, -50, 0, 0};
        Clustering c = new DbscanClustering().cluster(vectors(x), params("eps", 4.0, "min.points", 5), Progress.NONE);
        assertEquals(4, c.clusters());
        int[] expected = Arrays.copyOf(truth, 203);
        expected[200] = expected[201] = expected[202] = Clustering.NOISE;
        assertEquals(1.0, ari(expected, c.labels()), 1e-12);
        assertEquals(Clustering.NOISE, c.labels()[201]);
    }

    static int[] elkiHierarchical(double[][] data, elki.clustering.hierarchical.linkage.Linkage linkage, int k) {
        Database db = new StaticArrayDatabase(new ArrayAdapterDatabaseConnection(data), null);
        db.initialize();
        Relation<NumberVector> rel = db.getRelation(TypeUtil.NUMBER_VECTOR_FIELD);
        DBIDRange ids = (DBIDRange) rel.getDBIDs();
        elki.data.Clustering<?> c = new CutDendrogramByNumberOfClusters(new AGNES<NumberVector>(EuclideanDistance.STATIC, linkage), k, false).autorun(db);
        int[] labels = new int[data.length];
        int next = 0;
        for (Cluster<?> cl : c.getAllClusters()) {
            int id = next++;
            for (DBIDIter it = cl.getIDs().iter(); it.valid(); it.advance()) {
                labels[ids.getOffset(it)] = id;
            }
        }
        return labels;
    }

    /** 300 real digits (784 pixels) against ELKI's AGNES with the same linkage, cut into 10 clusters. */
    @Test
    void hierarchicalAgreesWithElkiOnRealDigits() throws Exception {
        float[] px = Npy.read(Path.of("../../samples/data/mnist-1k.npy")).toFloats();
        int n = 300;
        double[][] x = new double[n][784];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 784; k++) {
                x[i][k] = px[i * 784 + k];
            }
        }
        VectorPoints p = vectors(x);
        Map<String, elki.clustering.hierarchical.linkage.Linkage> linkages = Map.of(
                "single", elki.clustering.hierarchical.linkage.SingleLinkage.STATIC,
                "complete", elki.clustering.hierarchical.linkage.CompleteLinkage.STATIC,
                "average", elki.clustering.hierarchical.linkage.GroupAverageLinkage.STATIC,
                "ward", elki.clustering.hierarchical.linkage.WardLinkage.STATIC);
        for (Map.Entry<String, elki.clustering.hierarchical.linkage.Linkage> l : linkages.entrySet()) {
            Clustering ours = new HierarchicalClusteringAlgorithm().cluster(p,
                    params("linkage", l.getKey(), "k", 10, "height", 0.0, "max.points", 20000), Progress.NONE);
            int[] elki = elkiHierarchical(x, l.getValue(), 10);
            double a = ari(ours.labels(), elki);
            System.out.printf("hierarchical %s, 300 digits, k = 10: ARI vs ELKI AGNES %.4f%n", l.getKey(), a);
            assertEquals(10, ours.clusters());
            assertTrue(a >= 0.99, l.getKey() + " linkage: ARI vs ELKI " + a);
        }
    }

    static int[] elkiDbscan(double[][] data, double eps, int minPts) {
        Database db = new StaticArrayDatabase(new ArrayAdapterDatabaseConnection(data), null);
        db.initialize();
        Relation<NumberVector> rel = db.getRelation(TypeUtil.NUMBER_VECTOR_FIELD);
        DBIDRange ids = (DBIDRange) rel.getDBIDs();
        elki.data.Clustering<?> c = new elki.clustering.dbscan.DBSCAN<NumberVector>(EuclideanDistance.STATIC, eps, minPts).autorun(db);
        int[] labels = new int[data.length];
        int next = 0;
        for (Cluster<?> cl : c.getAllClusters()) {
            int id = cl.isNoise() ? -1 : next++;
            for (DBIDIter it = cl.getIDs().iter(); it.valid(); it.advance()) {
                labels[ids.getOffset(it)] = id;
            }
        }
        return labels;
    }

    /** 500 real digits against ELKI's DBSCAN with the same eps and minPts (both count the point itself). */
    @Test
    void dbscanAgreesWithElkiOnRealDigits() throws Exception {
        float[] px = Npy.read(Path.of("../../samples/data/mnist-1k.npy")).toFloats();
        int n = 500;
        double[][] x = new double[n][784];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 784; k++) {
                x[i][k] = px[i * 784 + k];
            }
        }
        for (double eps : new double[] {5.5, 6.0, 6.5}) {
            Clustering ours = new DbscanClustering().cluster(vectors(x), params("eps", eps, "min.points", 5), Progress.NONE);
            int[] elki = elkiDbscan(x, eps, 5);
            double a = ari(ours.labels(), elki);
            long noise = Arrays.stream(ours.labels()).filter(l -> l < 0).count();
            System.out.printf("dbscan eps %.1f, 500 digits: %d clusters, %d noise; ARI vs ELKI %.4f%n", eps, ours.clusters(), noise, a);
            assertTrue(ours.clusters() >= 2 && noise < n, "a non-trivial partition");
            assertTrue(a >= 0.99, "eps " + eps + ": ARI vs ELKI " + a);
        }
    }

    /** Single linkage by hand: points 0, 1, 3, 10, 11 on a line; cut at 2 clusters: {0,1,3} {10,11}. */
    @Test
    void singleLinkageOnALineIsTheClosedForm() {
        double[][] x = {{0}, {1}, {3}, {10}, {11}};
        Clustering c = new HierarchicalClusteringAlgorithm().cluster(vectors(x), params("linkage", "single", "k", 2, "height", 0.0, "max.points", 100), Progress.NONE);
        assertEquals(c.labels()[0], c.labels()[1]);
        assertEquals(c.labels()[0], c.labels()[2]);
        assertEquals(c.labels()[3], c.labels()[4]);
        assertTrue(c.labels()[0] != c.labels()[3]);
        // Cut at height 1.5: merges at 1 (0-1) and 1 (10-11) only; 3 stays alone.
        Clustering h = new HierarchicalClusteringAlgorithm().cluster(vectors(x), params("linkage", "single", "k", 0, "height", 1.5, "max.points", 100), Progress.NONE);
        assertEquals(3, h.clusters());
        var e = assertThrows(IllegalArgumentException.class, () -> new HierarchicalClusteringAlgorithm().cluster(vectors(x),
                params("linkage", "single", "k", 2, "height", 0.0, "max.points", 3), Progress.NONE));
        assertTrue(e.getMessage().contains("exceed max_points 3"), e.getMessage());
    }
}
