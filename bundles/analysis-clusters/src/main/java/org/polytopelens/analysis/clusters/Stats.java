package org.polytopelens.analysis.clusters;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.PointSet;

/** Partition statistics: adjusted Rand index, majority class, mean within-cluster distance. */
final class Stats {
    private Stats() {}

    /** Pairs whose distances are averaged per cluster at most; above this a seeded sample of pairs. */
    static final int MAX_PAIRS = 200_000;

    /**
     * Adjusted Rand index (Hubert and Arabie 1985) of two labelings of the same points, from the
     * contingency table. Every label value is a class of its own, so noise (-1) counts as one
     * cluster, as scikit-learn's {@code adjusted_rand_score} does on raw HDBSCAN labels. Two
     * partitions that are both trivial (one class, or all singletons) and equal score 1.
     */
    static double adjustedRand(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("labelings differ in length: " + a.length + " vs " + b.length);
        }
        Map<Long, Integer> cells = new HashMap<>();
        Map<Integer, Integer> rows = new HashMap<>(), cols = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1, Integer::sum);
            rows.merge(a[i], 1, Integer::sum);
            cols.merge(b[i], 1, Integer::sum);
        }
        double index = 0, sa = 0, sb = 0;
        for (int v : cells.values()) {
            index += pairs(v);
        }
        for (int v : rows.values()) {
            sa += pairs(v);
        }
        for (int v : cols.values()) {
            sb += pairs(v);
        }
        double expected = sa * sb / pairs(a.length), max = (sa + sb) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    static double pairs(long n) {
        return n * (n - 1) / 2.0;
    }

    /** The most frequent class among {@code members} (smallest class on ties) and its count. */
    static int[] majority(int[] members, int[] labels) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i : members) {
            counts.merge(labels[i], 1, Integer::sum);
        }
        int best = Integer.MAX_VALUE, count = 0;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            if (e.getValue() > count || (e.getValue() == count && e.getKey() < best)) {
                best = e.getKey();
                count = e.getValue();
            }
        }
        return new int[] {best, count};
    }

    /**
     * Mean distance over the pairs of {@code members}: all pairs up to {@link #MAX_PAIRS}, else
     * that many pairs drawn with a fixed seed (so a run is reproducible). NaN for fewer than 2.
     */
    static double meanDistance(PointSet points, int[] members, Progress p) {
        int m = members.length;
        if (m < 2) {
            return Double.NaN;
        }
        double sum = 0;
        if (pairs(m) <= MAX_PAIRS) {
            for (int i = 0; i < m; i++) {
                if ((i & 63) == 0) {
                    p.checkCancelled();
                }
                for (int j = i + 1; j < m; j++) {
                    sum += points.distance(members[i], members[j]);
                }
            }
            return sum / pairs(m);
        }
        Random r = new Random(m * 0x9E3779B97F4A7C15L);
        for (int k = 0; k < MAX_PAIRS; k++) {
            if ((k & 4095) == 0) {
                p.checkCancelled();
            }
            int i = r.nextInt(m), j = r.nextInt(m - 1);
            sum += points.distance(members[i], members[j >= i ? j + 1 : j]);
        }
        return sum / MAX_PAIRS;
    }
}
