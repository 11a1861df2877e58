package org.polytopelens.coder.relu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

class ReluCoderTest {
    static ActivationSite site(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new ActivationSite("relu1", "Relu", GateKind.HARD, "pre", shape, n);
    }

    @Test
    void bitIsOneIffStrictlyPositive() {
        Tensor t = Tensor.batch(2, new long[] {6}, new float[] {1f, 0f, -0f, Float.NaN, -3f, Float.MIN_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f, 0f, 1e-30f, -1e-30f});
        SplineCodes c = new ReluCoder().hard(site(6), t);
        assertEquals(2, c.count());
        assertEquals(6, c.bits());
        boolean[][] want = {{true, false, false, false, false, true}, {true, false, true, false, true, false}};
        for (int r = 0; r < 2; r++) {
            for (int k = 0; k < 6; k++) {
                assertEquals(want[r][k], c.get(r, k), "row " + r + " neuron " + k);
            }
        }
        assertEquals(0b100001L, c.words()[0]);
    }

    @Test
    void rowsWiderThanAWordAndNotAMultipleOf64() {
        int w = 130; // 3 words per row, the last one partly used
        int n = 3;
        float[] d = new float[n * w];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < w; k++) {
                d[r * w + k] = (k * 7 + r) % 3 == 0 ? 1f : -1f;
            }
        }
        // shape [n, 2, 5, 13]: neurons flattened row-major without the batch axis
        SplineCodes c = new ReluCoder().hard(site(2, 5, 13), new Tensor(new long[] {n, 2, 5, 13}, d));
        assertEquals(130, c.bits());
        assertEquals(3, c.wordsPerRow());
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < w; k++) {
                assertEquals(d[r * w + k] > 0, c.get(r, k));
            }
            assertEquals(0, c.words()[r * 3 + 2] >>> 2, "unused high bits are zero");
        }
        SplineCodes.Builder b = new SplineCodes.Builder(n, w);
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < w; k++) {
                if (d[r * w + k] > 0) {
                    b.set(r, k);
                }
            }
        }
        assertEquals(b.build(), c);
        assertEquals(SoftCodes.of(c), new ReluCoder().soft(site(2, 5, 13), new Tensor(new long[] {n, 2, 5, 13}, d)));
    }

    @Test
    void thresholdFromConfiguration() {
        ReluCoder.Config cfg = Converters.standardConverter().convert(Map.of("threshold", 0.5)).to(ReluCoder.Config.class);
        SplineCodes c = new ReluCoder(cfg).hard(site(3), Tensor.batch(1, new long[] {3}, new float[] {0.5f, 0.6f, 0.1f}));
        assertFalse(c.get(0, 0));
        assertTrue(c.get(0, 1));
        assertFalse(c.get(0, 2));
        ReluCoder.Config dflt = Converters.standardConverter().convert(Map.of()).to(ReluCoder.Config.class);
        assertEquals(0.0, dflt.threshold());
    }

    @Test
    void supportsHardReluSitesOnly() {
        ReluCoder r = new ReluCoder();
        assertTrue(r.supports(site(4)));
        assertFalse(r.supports(new ActivationSite("g", "Gelu", GateKind.SOFT, "p", new long[] {4}, 4)));
        assertFalse(r.supports(new ActivationSite("m", "MaxPool", GateKind.HARD, "p", new long[] {4}, 4)));
        assertEquals("relu", r.id());
        assertThrows(IllegalArgumentException.class, () -> r.hard(site(5), Tensor.batch(1, new long[] {4}, new float[4])));
    }
}
