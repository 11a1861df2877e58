package org.polytopelens.cluster.hdbscan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.PointSet;
import org.polytopelens.api.data.SoftCodePoints;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.VectorPoints;

/**
 * Hand-worked condensed trees. With min_samples = 1 every core distance is 0, so mutual
 * reachability is the plain distance and the hierarchy is single linkage on the 1-D points.
 */
class HdbscanTest {
    private static final double EPS = 1e-9;

    private static Hdbscan.Output run(PointSet p, int mcs, int ms, Hdbscan.Selection s, boolean single) throws Exception {
        return new Hdbscan(mcs, ms, s, single, 1).run(p, Progress.NONE);
    }

    /**
     * x = 0 1 2 10 11 12 30 -3, min cluster size 3. MST edges 1,1,1,1 (tied, removed together), 3,
     * 8, 18. Root (born 0): at lambda 1/18 point 6 falls out; at 1/8 it splits into A = {0,1,2,-3}
     * and B = {10,11,12}: S(root) = 1/18 + 7/8. A: at 1/3 point 7 (-3) falls out, at 1 the rest
     * falls apart: S(A) = (1/3 - 1/8) + 3 (1 - 1/8). B stops with exactly 3 = min cluster size
     * points, all leaving at lambda 1: S(B) = 3 (1 - 1/8) = 2.625 > 0 (ELKI 0.8.0 scores it 0).
     */
    @Test
    void twoBlobsAndNoiseByHand() throws Exception {
        Hdbscan.Output o = run(Points.line(0, 1, 2, 10, 11, 12, 30, -3), 3, 1, Hdbscan.Selection.EOM, false);
        Hdbscan.Tree t = o.tree();
        assertEquals(3, t.clusters());
        assertArrayEquals(new int[] {-1, 0, 0}, t.parent());
        assertArrayEquals(new double[] {0, 1 / 8.0, 1 / 8.0}, t.birth(), EPS);
        assertArrayEquals(new double[] {1 / 8.0, 1, 1}, t.death(), EPS);
        // Children in increasing dendrogram order; identify A by its size through the stabilities.
        double sa = (1 / 3.0 - 1 / 8.0) + 3 * (1 - 1 / 8.0), sb = 3 * (1 - 1 / 8.0);
        assertEquals(1 / 18.0 + 7 / 8.0, t.stability()[0], EPS);
        double[] kids = {t.stability()[1], t.stability()[2]};
        java.util.Arrays.sort(kids);
        assertArrayEquals(new double[] {sb, sa}, kids, EPS);
        assertArrayEquals(new boolean[] {false, true, true}, t.selected());

        Clustering c = o.clustering();
        assertEquals(2, c.clusters());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, -1, 0}, c.labels());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 0, 1 / 3.0}, c.strength(), EPS);
        // Leaf selection picks the same two leaves.
        assertArrayEquals(c.labels(), run(Points.line(0, 1, 2, 10, 11, 12, 30, -3), 3, 1, Hdbscan.Selection.LEAF, false).clustering().labels());
    }

    /**
     * x = 0 1 2.5 3.5 20 20.5, min cluster size 2. Root dies at 1/16.5 into G1 = {0,1,2.5,3.5} and
     * G2 = {20,20.5}. G1 splits at 1/1.5 into P = {0,1} and Q = {2.5,3.5}, which fall apart at 1.
     * S(G1) = 4 (2/3 - 1/16.5) = 2.4242 beats S(P) + S(Q) = 2 * 2 (1 - 2/3) = 1.3333, so excess
     * of mass keeps G1 while leaf selection takes P and Q. S(G2) = 2 (2 - 1/16.5).
     */
    @Test
    void excessOfMassVersusLeaves() throws Exception {
        VectorPoints p = Points.line(0, 1, 2.5, 3.5, 20, 20.5);
        Hdbscan.Output eom = run(p, 2, 1, Hdbscan.Selection.EOM, false);
        Hdbscan.Tree t = eom.tree();
        assertEquals(5, t.clusters());
        double root = 6 / 16.5, g1 = 4 * (2 / 3.0 - 1 / 16.5), g2 = 2 * (2 - 1 / 16.5), pq = 2 * (1 - 2 / 3.0);
        double[] s = t.stability().clone();
        java.util.Arrays.sort(s);
        assertArrayEquals(new double[] {root, pq, pq, g1, g2}, s, EPS);
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1}, eom.clustering().labels());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, eom.clustering().strength(), EPS);

        Clustering leaf = run(p, 2, 1, Hdbscan.Selection.LEAF, false).clustering();
        assertEquals(3, leaf.clusters());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, leaf.labels());
    }

    /**
     * x = 0 1 3, min cluster size 2: the root loses point 2 at 1/2 and falls apart at 1, never
     * splitting in two, so without allow_single_cluster everything is noise; with it the root is
     * the one cluster, with strengths lambda_p / lambda_max = 1, 1, 0.5.
     */
    @Test
    void singleClusterOnlyWhenAllowed() throws Exception {
        VectorPoints p = Points.line(0, 1, 3);
        Clustering none = run(p, 2, 1, Hdbscan.Selection.EOM, false).clustering();
        assertEquals(0, none.clusters());
        assertArrayEquals(new int[] {-1, -1, -1}, none.labels());
        assertArrayEquals(new double[] {0, 0, 0}, none.strength(), EPS);
        assertEquals(2.5, run(p, 2, 1, Hdbscan.Selection.EOM, false).tree().stability()[0], EPS);
        for (Hdbscan.Selection s : Hdbscan.Selection.values()) {
            Clustering one = run(p, 2, 1, s, true).clustering();
            assertEquals(1, one.clusters(), s.name());
            assertArrayEquals(new int[] {0, 0, 0}, one.labels());
            assertArrayEquals(new double[] {1, 1, 0.5}, one.strength(), EPS);
        }
    }

    /**
     * Pairs at 0,1 / 5,6 / 10,11: the two edges of weight 4 are tied and removed together, so the
     * root splits into three children at once (the textbook rule) instead of a binary cascade.
     */
    @Test
    void tiedEdgesSplitSimultaneously() throws Exception {
        Hdbscan.Output o = run(Points.line(0, 1, 5, 6, 10, 11), 2, 1, Hdbscan.Selection.EOM, false);
        assertArrayEquals(new int[] {-1, 0, 0, 0}, o.tree().parent());
        assertArrayEquals(new double[] {1.5, 1.5, 1.5, 1.5}, o.tree().stability(), EPS);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, o.clustering().labels());
    }

    /** Core distance counts the point itself: min_samples 1 gives 0, min_samples 2 the nearest other point. */
    @Test
    void coreDistanceCountsThePointItself() throws Exception {
        VectorPoints p = Points.line(0, 1, 3, 7);
        assertArrayEquals(new double[] {0, 0, 0, 0}, run(p, 2, 1, Hdbscan.Selection.EOM, false).core(), EPS);
        assertArrayEquals(new double[] {1, 1, 2, 4}, run(p, 2, 2, Hdbscan.Selection.EOM, false).core(), EPS);
        assertArrayEquals(new double[] {3, 2, 3, 6}, run(p, 2, 3, Hdbscan.Selection.EOM, false).core(), EPS);
        // min_samples 0 means min_cluster_size (3 here); more than n uses the farthest point.
        assertArrayEquals(new double[] {3, 2, 3, 6}, run(p, 3, 0, Hdbscan.Selection.EOM, false).core(), EPS);
        assertArrayEquals(new double[] {7, 6, 4, 7}, run(p, 2, 9, Hdbscan.Selection.EOM, false).core(), EPS);
    }

    /**
     * Duplicates (distance 0) give lambda = infinity: a group of identical codes is infinitely
     * stable, its members have strength 1, and nothing turns into NaN.
     */
    @Test
    void duplicatesAreInfinitelyDense() throws Exception {
        VectorPoints p = Points.line(0, 0, 0, 10, 10, 10, 50);
        Clustering c = run(p, 3, 3, Hdbscan.Selection.EOM, false).clustering();
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, -1}, c.labels());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 0}, c.strength(), EPS);
    }

    /** Parameters arrive with Metatype's keys (min_cluster_size -> min.cluster.size), as the core passes them. */
    @Test
    void hammingCodesFindTheirPrototypes() throws Exception {
        CodePoints codes = Points.codes(7, 96, 3, 40, 0.05, 15);
        Clustering c = new HdbscanClustering().cluster(codes, Parameters.of(Map.of("min.cluster.size", 10, "min.samples", 5)), Progress.NONE);
        assertEquals(3, c.clusters());
        int[] truth = new int[codes.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = i < 120 ? i / 40 : -1;
        }
        assertArrayEquals(truth, c.labels());
        // The packed fast path gives exactly what the generic distance gives.
        PointSet generic = new PointSet() {
            public int size() {
                return codes.size();
            }

            public double distance(int i, int j) {
                return codes.distance(i, j);
            }
        };
        assertEquals(c, new HdbscanClustering().cluster(generic, Parameters.of(Map.of("min.cluster.size", 10, "min.samples", 5)), Progress.NONE));
    }

    /**
     * Soft codes go through the generic distance: 0/1 probabilities under L1 or expected Hamming
     * are exactly the hard codes' Hamming distance, so the clustering is identical; softened
     * probabilities (0/1 moved 0.1 towards 1/2) keep the partition of these separated groups.
     */
    @Test
    void softCodesClusterLikeTheirHardCodes() throws Exception {
        CodePoints codes = Points.codes(13, 80, 3, 30, 0.05, 12);
        int n = codes.size(), bits = 80;
        float[] hard = new float[n * bits], soft = new float[n * bits];
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < bits; b++) {
                boolean on = codes.codes().get(i, b);
                hard[i * bits + b] = on ? 1 : 0;
                soft[i * bits + b] = on ? 0.9f : 0.1f;
            }
        }
        Hdbscan h = new Hdbscan(6, 3, Hdbscan.Selection.EOM, false, 2);
        Clustering c = h.run(codes, Progress.NONE).clustering();
        assertEquals(3, c.clusters());
        for (boolean l1 : new boolean[] {true, false}) {
            assertEquals(c, h.run(new SoftCodePoints(new SoftCodes(n, bits, hard), l1), Progress.NONE).clustering());
            assertArrayEquals(c.labels(), h.run(new SoftCodePoints(new SoftCodes(n, bits, soft), l1), Progress.NONE).clustering().labels());
        }
    }

    /** Same input, same output; 1 or 2 threads; and a permutation of the points gives the permuted partition. */
    @Test
    void deterministicAndOrderIndependent() throws Exception {
        CodePoints codes = Points.codes(11, 64, 4, 25, 0.08, 20);
        Hdbscan one = new Hdbscan(8, 4, Hdbscan.Selection.EOM, false, 1), two = new Hdbscan(8, 4, Hdbscan.Selection.EOM, false, 2).parallelPrimFrom(0);
        Clustering a = one.run(codes, Progress.NONE).clustering();
        assertEquals(a, one.run(codes, Progress.NONE).clustering());
        assertEquals(a, two.run(codes, Progress.NONE).clustering());
        assertTrue(a.clusters() >= 4, a.toString());

        int n = codes.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = (i * 37 + 11) % n; // 37 is coprime to 120
        }
        PointSet permuted = new PointSet() {
            public int size() {
                return n;
            }

            public double distance(int i, int j) {
                return codes.distance(perm[i], perm[j]);
            }
        };
        Clustering b = one.run(permuted, Progress.NONE).clustering();
        int[] back = new int[n];
        double[] strength = new double[n];
        for (int i = 0; i < n; i++) {
            back[perm[i]] = b.labels()[i];
            strength[perm[i]] = b.strength()[i];
        }
        assertEquals(1.0, Points.ari(a.labels(), back), 1e-12);
        assertArrayEquals(a.strength(), strength, 1e-12);
    }

    /** Cancelled at the first, a middle and the last check (core distances, then Prim's loop), with 1 and 2 threads. */
    @Test
    void cancellationStopsBothPhases() throws Exception {
        CodePoints codes = Points.codes(3, 128, 2, 300, 0.05, 0);
        for (int threads : new int[] {1, 2}) {
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger limit = new AtomicInteger(Integer.MAX_VALUE);
            Progress p = new Progress() {
                public void report(double fraction, String message) {}

                public boolean cancelled() {
                    return calls.incrementAndGet() > limit.get();
                }
            };
            Hdbscan h = new Hdbscan(5, 5, Hdbscan.Selection.EOM, false, threads).parallelPrimFrom(0);
            h.run(codes, p);
            int total = calls.get();
            assertTrue(total >= 10, "checks " + total);
            for (int after : new int[] {0, total / 2, total - 1}) {
                calls.set(0);
                limit.set(after);
                assertThrows(CancellationException.class, () -> h.run(codes, p), "after " + after + " of " + total);
            }
        }
    }

    @Test
    void badParametersNameWhatIsValid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HdbscanClustering().cluster(Points.line(0, 1), Parameters.of(Map.of("selection", "max")), Progress.NONE));
        assertTrue(e.getMessage().contains("\"eom\" or \"leaf\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new HdbscanClustering().cluster(Points.line(0, 1), Parameters.of(Map.of("min.cluster.size", 1)), Progress.NONE));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
    }

    @Test
    void tinyInputs() throws Exception {
        assertEquals(0, new HdbscanClustering().cluster(Points.line(), Parameters.empty(), Progress.NONE).size());
        assertArrayEquals(new int[] {-1}, new HdbscanClustering().cluster(Points.line(4), Parameters.empty(), Progress.NONE).labels());
    }
}
