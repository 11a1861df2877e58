package org.polytopelens.dataset.idx;

import java.util.Arrays;
import java.util.SplittableRandom;

/** A seeded train/test split: the same (n, test size, seed) always holds back the same examples. */
final class Split {
    private Split() {}

    /** Indices of {@code split} (all, train or test) in file order. */
    static int[] indices(int n, int testSize, long seed, String split) {
        if (split.equals("all")) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        if (!split.equals("train") && !split.equals("test")) {
            throw new IllegalArgumentException("dataset 'idx': split must be all, train or test, got '" + split + "'");
        }
        if (testSize > n) {
            throw new IllegalArgumentException("dataset 'idx': test_size " + testSize + " exceeds the " + n + " examples in the file");
        }
        // Partial Fisher-Yates: the first testSize positions of a seeded permutation are held back.
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < testSize; i++) {
            int j = i + random.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] chosen = split.equals("test") ? Arrays.copyOfRange(perm, 0, testSize) : Arrays.copyOfRange(perm, testSize, n);
        Arrays.sort(chosen);
        return chosen;
    }
}
