package org.polytopelens.api.data;

import java.util.Arrays;

/**
 * Soft (probabilistic) spline codes: for each of {@code count} points and {@code neurons}
 * neurons, the probability in [0, 1] that the neuron's gate is "on" (GELU: Phi(x), SiLU:
 * sigmoid(x); ReLU: its hard code as 0/1). Row-major.
 */
public record SoftCodes(int count, int neurons, float[] p) {
    public SoftCodes {
        if ((long) count * neurons != p.length) {
            throw new IllegalArgumentException(count + " x " + neurons + " soft codes need " + (long) count * neurons + " values, got " + p.length);
        }
    }

    /** Expected Hamming distance between rows a and b: sum p(1-q) + q(1-p). */
    public double expectedHamming(int a, int b) {
        int oa = a * neurons, ob = b * neurons;
        double d = 0;
        for (int k = 0; k < neurons; k++) {
            float x = p[oa + k], y = p[ob + k];
            d += x * (1 - y) + y * (1 - x);
        }
        return d;
    }

    /** L1 distance between rows a and b: sum |p - q|. */
    public double l1(int a, int b) {
        int oa = a * neurons, ob = b * neurons;
        double d = 0;
        for (int k = 0; k < neurons; k++) {
            d += Math.abs(p[oa + k] - p[ob + k]);
        }
        return d;
    }

    /** Hard codes: bit set iff the probability is &gt; 0.5. */
    public SplineCodes harden() {
        SplineCodes.Builder b = new SplineCodes.Builder(count, neurons);
        for (int r = 0; r < count; r++) {
            for (int k = 0; k < neurons; k++) {
                if (p[r * neurons + k] > 0.5f) {
                    b.set(r, k);
                }
            }
        }
        return b.build();
    }

    /** Hard codes as probabilities 0 and 1 (the soft code of a piecewise-linear gate). */
    public static SoftCodes of(SplineCodes codes) {
        float[] p = new float[codes.count() * codes.bits()];
        for (int r = 0; r < codes.count(); r++) {
            for (int k = 0; k < codes.bits(); k++) {
                p[r * codes.bits() + k] = codes.get(r, k) ? 1f : 0f;
            }
        }
        return new SoftCodes(codes.count(), codes.bits(), p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftCodes c && count == c.count && neurons == c.neurons && Arrays.equals(p, c.p);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(p);
    }

    @Override
    public String toString() {
        return "SoftCodes[" + count + " x " + neurons + "]";
    }
}
