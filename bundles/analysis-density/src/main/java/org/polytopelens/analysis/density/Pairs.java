package org.polytopelens.analysis.density;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The pairs {@code i < j} of {@code n} points that an analysis looks at: every pair, or a seeded
 * uniform sample without replacement. A pair is named by its key, its index in the row-major
 * enumeration of all pairs ((0,1), (0,2) .. (0,n-1), (1,2) ..), so a sample is a sorted array of
 * keys (8 bytes a pair) and all pairs need no storage at all.
 */
final class Pairs {
    private final int n;
    private final long total;
    /** Sorted keys of the sampled pairs, or null for all pairs. */
    private final long[] keys;

    private Pairs(int n, long[] keys) {
        this.n = n;
        this.total = total(n);
        this.keys = keys;
    }

    static long total(int n) {
        return (long) n * (n - 1) / 2;
    }

    static Pairs all(int n) {
        return new Pairs(n, null);
    }

    /**
     * {@code m} distinct pairs drawn uniformly (every m-subset of pairs equally likely), or all
     * pairs when {@code m <= 0} or {@code m >= } the number of pairs. Draws keys iid, keeps the
     * distinct ones and draws again for the missing ones: the result is the first m distinct keys
     * of one seeded stream, hence a uniform subset, in O(m log m) time and O(m) memory.
     */
    static Pairs sample(int n, long m, long seed) {
        long total = total(n);
        if (m <= 0 || m >= total) {
            return all(n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] keys = new long[0];
        while (keys.length < m) {
            int missing = (int) (m - keys.length);
            long[] more = Arrays.copyOf(keys, keys.length + missing);
            for (int k = keys.length; k < more.length; k++) {
                more[k] = rnd.nextLong(total);
            }
            Arrays.sort(more);
            int d = 0;
            for (int k = 0; k < more.length; k++) {
                if (d == 0 || more[k] != more[d - 1]) {
                    more[d++] = more[k];
                }
            }
            keys = Arrays.copyOf(more, d);
        }
        return new Pairs(n, keys);
    }

    int points() {
        return n;
    }

    /** Number of pairs in this set. */
    long size() {
        return keys == null ? total : keys.length;
    }

    boolean isAll() {
        return keys == null;
    }

    /** The key of the {@code k}-th pair of this set. */
    long key(long k) {
        return keys == null ? k : keys[Math.toIntExact(k)];
    }

    /** Pairs before row i in the enumeration: those (i', j) with i' < i. */
    long rowStart(int i) {
        return (long) i * (2L * n - i - 1) / 2;
    }

    /** The first point of the pair with this key (the second is {@code i + 1 + key - rowStart(i)}). */
    int first(long key) {
        if (key < 0 || key >= total) {
            throw new IndexOutOfBoundsException("pair " + key + " of " + total);
        }
        // rowStart(i) <= key solves to i <= ((2n-1) - sqrt((2n-1)^2 - 8 key)) / 2; fix rounding after.
        double b = 2.0 * n - 1;
        int i = (int) Math.max(0, Math.floor((b - Math.sqrt(Math.max(0, b * b - 8.0 * key))) / 2));
        while (i > 0 && rowStart(i) > key) {
            i--;
        }
        while (i + 1 < n && rowStart(i + 1) <= key) {
            i++;
        }
        return i;
    }

    int second(long key, int first) {
        return (int) (first + 1 + key - rowStart(first));
    }
}
