package org.example.polytope.margin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

class ReluMarginCoderTest {
    static ReluMarginCoder coder(double m) {
        return new ReluMarginCoder(new ReluMarginCoder.Config() {
            @Override
            public double margin() {
                return m;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ReluMarginCoder.Config.class;
            }
        });
    }

    static final ActivationSite RELU = new ActivationSite("relu1", "Relu", GateKind.HARD, "fc1.out", new long[] {4}, 4);

    @Test
    void offBandAndOnAreTwoBitsPerNeuron() {
        // One point, four neurons: off (-1), in the band (-0.05, 0.05), on (2).
        Tensor pre = Tensor.batch(1, new long[] {4}, new float[] {-1f, -0.05f, 0.05f, 2f});
        SplineCodes c = coder(0.1).hard(RELU, pre);
        assertEquals(8, c.bits());
        boolean[] expected = {false, false, true, false, true, false, true, true};
        for (int bit = 0; bit < 8; bit++) {
            assertEquals(expected[bit], c.get(0, bit), "bit " + bit);
        }
        // With margin 0 both bits are the ReLU's own gate.
        SplineCodes z = coder(0).hard(RELU, pre);
        for (int j = 0; j < 4; j++) {
            assertEquals(z.get(0, 2 * j), z.get(0, 2 * j + 1));
        }
        assertTrue(coder(0.1).supports(RELU));
        assertFalse(coder(0.1).supports(new ActivationSite("g", "Gelu", GateKind.SOFT, "x", new long[] {4}, 4)));
        assertEquals(2, coder(0.1).bitsPerNeuron(RELU));
    }

    @Test
    void aNegativeMarginIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> coder(-1));
        assertEquals("relu-margin: margin must be >= 0, got -1.0", e.getMessage());
    }
}
