package org.polytopelens.coder.relu;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/** Threshold codes written straight into packed words (no byte per bit), shared by the coders. */
final class Packing {
    private Packing() {}

    /** Checks that the batch has the site's neurons per row; returns the row width. */
    static int width(ActivationSite site, Tensor pre) {
        int width = pre.rowSize();
        if (site.neurons() >= 0 && site.neurons() != width) {
            throw new IllegalArgumentException("site '" + site.name() + "' has " + site.neurons() + " neurons per point but its pre-activation batch "
                    + Arrays.toString(pre.shape()) + " has " + width);
        }
        return width;
    }

    /** One bit per neuron: 1 iff the pre-activation is &gt; {@code t} (so NaN gives 0). */
    static SplineCodes above(ActivationSite site, Tensor pre, double t) {
        int n = pre.rows();
        int width = width(site, pre);
        int wpr = SplineCodes.wordsPerRow(width);
        long[] words = new long[Math.multiplyExact(n, wpr)];
        float[] d = pre.data();
        for (int r = 0; r < n; r++) {
            int base = r * width;
            int wordBase = r * wpr;
            for (int k0 = 0; k0 < width; k0 += 64) {
                int end = Math.min(64, width - k0);
                long word = 0;
                for (int j = 0; j < end; j++) {
                    if (d[base + k0 + j] > t) {
                        word |= 1L << j;
                    }
                }
                words[wordBase + (k0 >>> 6)] = word;
            }
        }
        return new SplineCodes(n, width, words);
    }

    /**
     * Two bits per neuron, neuron-major: bit {@code 2k} is x &gt; {@code lo}, bit {@code 2k+1} is
     * x &gt; {@code hi}. With lo &lt;= hi the pair is a thermometer code (neither, the first, both),
     * so the Hamming distance of two points counts the breakpoints between them.
     */
    static SplineCodes twoThresholds(ActivationSite site, Tensor pre, double lo, double hi) {
        int n = pre.rows();
        int width = width(site, pre);
        int bits = Math.multiplyExact(width, 2);
        int wpr = SplineCodes.wordsPerRow(bits);
        long[] words = new long[Math.multiplyExact(n, wpr)];
        float[] d = pre.data();
        for (int r = 0; r < n; r++) {
            int base = r * width;
            int wordBase = r * wpr;
            for (int k0 = 0; k0 < width; k0 += 32) {
                int end = Math.min(32, width - k0);
                long word = 0;
                for (int j = 0; j < end; j++) {
                    float x = d[base + k0 + j];
                    if (x > lo) {
                        word |= 1L << (2 * j);
                    }
                    if (x > hi) {
                        word |= 2L << (2 * j);
                    }
                }
                words[wordBase + (k0 >>> 5)] = word;
            }
        }
        return new SplineCodes(n, bits, words);
    }

    /**
     * The ops a coder claims: the configured ones, which must be among those it can code
     * ({@code known}); an unknown op is a configuration error naming the valid ones.
     */
    static Set<String> ops(String coder, String[] configured, Set<String> known) {
        Set<String> ops = new TreeSet<>(configured == null ? List.of() : Arrays.asList(configured));
        for (String op : ops) {
            if (!known.contains(op)) {
                throw new IllegalArgumentException("coder '" + coder + "' cannot code op '" + op + "'; valid ops: " + new TreeSet<>(known));
            }
        }
        return Set.copyOf(ops);
    }
}
