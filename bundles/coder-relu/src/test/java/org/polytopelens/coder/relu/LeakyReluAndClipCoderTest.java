package org.polytopelens.coder.relu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class LeakyReluAndClipCoderTest {
    static ActivationSite site(String op, int neurons, Map<String, Object> attributes) {
        return new ActivationSite("s", op, GateKind.HARD, "pre", new long[] {neurons}, neurons, attributes);
    }

    static final Map<String, Object> RELU6 = Map.of("min", 0.0, "max", 6.0);

    @Test
    void leakyReluAndPReluBitIsXAboveZero() {
        LeakyReluCoder c = new LeakyReluCoder();
        Tensor t = Tensor.batch(1, new long[] {6}, new float[] {-2, -0f, 0, Float.NaN, 1e-30f, 5});
        for (String op : new String[] {"LeakyRelu", "PRelu"}) {
            ActivationSite s = site(op, 6, Map.of("alpha", 0.01));
            assertTrue(c.supports(s));
            assertEquals(0b110000L, c.hard(s, t).words()[0], op);
        }
        assertFalse(c.supports(site("Relu", 6, Map.of())));
        assertFalse(c.supports(new ActivationSite("s", "LeakyRelu", GateKind.SOFT, "p", new long[] {6}, 6)));
        assertEquals("leakyrelu", c.id());
    }

    @Test
    void configuredOpsNarrowWhatACoderClaimsAndUnknownOpsAreRefused() {
        LeakyReluCoder.Config only = Converters.standardConverter().convert(Map.of("ops", new String[] {"PRelu"})).to(LeakyReluCoder.Config.class);
        LeakyReluCoder c = new LeakyReluCoder(only);
        assertTrue(c.supports(site("PRelu", 2, Map.of())));
        assertFalse(c.supports(site("LeakyRelu", 2, Map.of())));
        ClipCoder.Config bad = Converters.standardConverter().convert(Map.of("ops", new String[] {"Clip", "Relu"})).to(ClipCoder.Config.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClipCoder(bad));
        assertTrue(e.getMessage().contains("'Relu'") && e.getMessage().contains("HardSwish"), e.getMessage());
        MaxPoolCoder.Config none = Converters.standardConverter().convert(Map.of("ops", new String[0])).to(MaxPoolCoder.Config.class);
        assertFalse(new MaxPoolCoder(none).supports(new ActivationSite("p", "MaxPool", GateKind.HARD, "x", new long[] {1, 4}, 2,
                Map.of("kernel_shape", new long[] {2}))));
    }

    /** ReLU6: bit 2k = x > 0, bit 2k+1 = x > 6, neuron-major. */
    @Test
    void relu6HasTwoBitsPerNeuronThermometerStyle() {
        ClipCoder c = new ClipCoder();
        ActivationSite s = site("Clip", 8, RELU6);
        assertTrue(c.supports(s));
        assertEquals(2, c.bitsPerNeuron(s));
        float[] x = {-1, 0, 3, 6, 7, Float.NaN, -0f, Math.nextUp(6f)};
        SplineCodes codes = c.hard(s, Tensor.batch(1, new long[] {8}, x));
        assertEquals(16, codes.bits());
        //            neuron: 7   6   5   4   3   2   1   0
        long want = 0b11_00_00_11_01_01_00_00L;
        assertEquals(want, codes.words()[0]);
        assertEquals(SoftCodes.of(codes), c.soft(s, Tensor.batch(1, new long[] {8}, x)));
    }

    @Test
    void hammingDistanceCountsBreakpointsCrossed() {
        ClipCoder c = new ClipCoder();
        ActivationSite s = site("Clip", 1, RELU6);
        SplineCodes codes = c.hard(s, Tensor.batch(4, new long[] {1}, new float[] {-5, 2, 4, 10}));
        assertEquals(1, codes.hamming(0, 1));
        assertEquals(0, codes.hamming(1, 2));
        assertEquals(1, codes.hamming(2, 3));
        assertEquals(2, codes.hamming(0, 3));
    }

    /** 40 neurons = 80 bits: the second word is partly used, its high bits zero. */
    @Test
    void rowsWiderThanAWordMatchABitByBitBuild() {
        int w = 40;
        int n = 3;
        float[] x = new float[n * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 37 % 19) - 6; // -6 .. 12
        }
        ActivationSite s = site("Clip", w, Map.of("min", -1.0, "max", 4.0));
        SplineCodes codes = new ClipCoder().hard(s, Tensor.batch(n, new long[] {w}, x));
        SplineCodes.Builder b = new SplineCodes.Builder(n, 2 * w);
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < w; k++) {
                if (x[r * w + k] > -1) {
                    b.set(r, 2 * k);
                }
                if (x[r * w + k] > 4) {
                    b.set(r, 2 * k + 1);
                }
            }
            assertEquals(0, codes.words()[r * 2 + 1] >>> 16, "unused high bits are zero");
        }
        assertEquals(b.build(), codes);
    }

    @Test
    void unboundedSidesGiveConstantBitsAndComputedBoundsAreNotSupported() {
        ClipCoder c = new ClipCoder();
        ActivationSite lowOnly = site("Clip", 3, Map.of("min", 0.0, "max", Double.POSITIVE_INFINITY));
        SplineCodes codes = c.hard(lowOnly, Tensor.batch(1, new long[] {3}, new float[] {-1, 1, Float.POSITIVE_INFINITY}));
        assertEquals(0b01_01_00L, codes.words()[0], "x > +inf is never true");
        ActivationSite computed = site("Clip", 3, Map.of("max", 6.0));
        assertFalse(c.supports(computed));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.hard(computed, Tensor.batch(1, new long[] {3}, new float[3])));
        assertTrue(e.getMessage().contains("'s'") && e.getMessage().contains("min and max"), e.getMessage());
    }

    @Test
    void hardSigmoidAndHardSwishBreakpoints() {
        assertArrayEquals(new double[] {-3, 3}, ClipCoder.breakpoints(site("HardSwish", 1, Map.of("alpha", 1.0 / 6, "beta", 0.5))));
        assertArrayEquals(new double[] {-2.5, 2.5}, ClipCoder.breakpoints(site("HardSigmoid", 1, Map.of("alpha", 0.2, "beta", 0.5))), 1e-12);
        assertArrayEquals(new double[] {-1.5, 0.5}, ClipCoder.breakpoints(site("HardSigmoid", 1, Map.of("alpha", -0.5, "beta", 0.25))), 1e-12);
        assertNull(ClipCoder.breakpoints(site("Relu", 1, Map.of())));
        SplineCodes codes = new ClipCoder().hard(site("HardSwish", 4, Map.of()), Tensor.batch(1, new long[] {4}, new float[] {-3, -2.9f, 3, 3.1f}));
        assertEquals(0b11_01_01_00L, codes.words()[0]);
    }
}
