package org.polytopelens.coder.smooth;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * A smooth gate's codes (Balestriero and Baraniuk, "From hard to soft", 2018): the soft code of
 * neuron k is p = g(x_k), the gate's probability of the "on" region, as float32 in [0, 1]; the
 * hard code is that hardened at 0.5, i.e. the sign of x (every gate here is increasing in
 * {@code scale * x} with g = 0.5 exactly at 0), computed from x so it is exact even where p
 * rounds to 0.5 in float ({@code soft().harden()} may then give 0 where {@code hard()} gives 1).
 * A NaN pre-activation gives p = NaN and bit 0.
 */
abstract class SmoothCoder implements ActivationCoder {
    private final Set<String> ops;

    SmoothCoder(String id, String[] configured, Set<String> known) {
        Set<String> ops = new TreeSet<>(configured == null ? List.of() : Arrays.asList(configured));
        for (String op : ops) {
            if (!known.contains(op)) {
                throw new IllegalArgumentException("coder '" + id + "' cannot code op '" + op + "'; valid ops: " + new TreeSet<>(known));
            }
        }
        this.ops = Set.copyOf(ops);
    }

    /** The gate of this site: the probability of "on" at pre-activation x. */
    abstract DoubleUnaryOperator gate(ActivationSite site);

    /** s with p &gt; 0.5 iff s x &gt; 0: 1, except Swish's beta. */
    double scale(ActivationSite site) {
        return 1;
    }

    @Override
    public boolean supports(ActivationSite site) {
        return site.kind() == GateKind.SOFT && ops.contains(site.op());
    }

    @Override
    public SoftCodes soft(ActivationSite site, Tensor pre) {
        int width = width(site, pre);
        DoubleUnaryOperator g = gate(site);
        float[] x = pre.data();
        float[] p = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = (float) g.applyAsDouble(x[i]);
        }
        return new SoftCodes(pre.rows(), width, p);
    }

    @Override
    public SplineCodes hard(ActivationSite site, Tensor pre) {
        int n = pre.rows();
        int width = width(site, pre);
        double s = scale(site);
        int wpr = SplineCodes.wordsPerRow(width);
        long[] words = new long[Math.multiplyExact(n, wpr)];
        float[] d = pre.data();
        for (int r = 0; r < n; r++) {
            int base = r * width;
            for (int k0 = 0; k0 < width; k0 += 64) {
                int end = Math.min(64, width - k0);
                long word = 0;
                for (int j = 0; j < end; j++) {
                    if (s * d[base + k0 + j] > 0) {
                        word |= 1L << j;
                    }
                }
                words[r * wpr + (k0 >>> 6)] = word;
            }
        }
        return new SplineCodes(n, width, words);
    }

    private static int width(ActivationSite site, Tensor pre) {
        int width = pre.rowSize();
        if (site.neurons() >= 0 && site.neurons() != width) {
            throw new IllegalArgumentException("site '" + site.name() + "' has " + site.neurons() + " neurons per point but its pre-activation batch "
                    + Arrays.toString(pre.shape()) + " has " + width);
        }
        return width;
    }
}
