package org.polytopelens.coder.smooth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

class SmoothCodersTest {
    static ActivationSite site(String op, int neurons, Map<String, Object> attributes) {
        return new ActivationSite("s", op, GateKind.SOFT, "pre", new long[] {neurons}, neurons, attributes);
    }

    record Case(ActivationCoder coder, ActivationSite site, DoubleUnaryOperator p) {}

    static final List<Case> CASES = List.of(
            new Case(new GeluCoder(), site("Gelu", 9, Map.of("approximate", "none")), Gates::phi),
            new Case(new GeluCoder(), site("Gelu", 9, Map.of()), Gates::phi),
            new Case(new GeluCoder(), site("Gelu", 9, Map.of("approximate", "tanh")),
                    x -> 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
            new Case(new SiluCoder(), site("SiLU", 9, Map.of()), x -> 1 / (1 + Math.exp(-x))),
            new Case(new SiluCoder(), site("Swish", 9, Map.of("beta", 1.702)), x -> 1 / (1 + Math.exp(-1.702 * x))),
            new Case(new SigmoidCoder(), site("Sigmoid", 9, Map.of()), x -> 1 / (1 + Math.exp(-x))),
            new Case(new TanhCoder(), site("Tanh", 9, Map.of()), x -> (1 + Math.tanh(x)) / 2));

    static final float[] X = {-4, -1.5f, -0.25f, -0f, 0, 0.25f, 1, 2.5f, 6};

    @Test
    void softCodesAreTheGateProbabilities() {
        for (Case c : CASES) {
            SoftCodes s = c.coder().soft(c.site(), Tensor.batch(1, new long[] {9}, X));
            assertEquals(1, s.count());
            assertEquals(9, s.neurons());
            for (int k = 0; k < X.length; k++) {
                assertEquals(c.p().applyAsDouble(X[k]), s.p()[k], 1e-7, c.site().op() + " " + c.site().attributes() + " at " + X[k]);
            }
            assertEquals(0.5f, s.p()[3], c.site().op());
            assertEquals(0.5f, s.p()[4], c.site().op());
        }
        SoftCodes phi = new GeluCoder().soft(site("Gelu", 3, Map.of()), Tensor.batch(1, new long[] {3}, new float[] {0, 1, -2}));
        assertEquals(0.5f, phi.p()[0]);
        assertEquals((float) 0.8413447460685429, phi.p()[1]);
        assertEquals((float) 0.022750131948179195, phi.p()[2]);
    }

    @Test
    void symmetricAroundOneHalf() {
        float[] x = new float[200];
        for (int i = 0; i < 100; i++) {
            x[i] = (i - 50) * 0.37f;
            x[100 + i] = -x[i];
        }
        for (Case c : CASES) {
            SoftCodes s = c.coder().soft(site(c.site().op(), 100, c.site().attributes()), Tensor.batch(2, new long[] {100}, x));
            for (int k = 0; k < 100; k++) {
                assertEquals(1 - s.p()[k], s.p()[100 + k], 1e-7, c.site().op() + " at " + x[k]);
            }
        }
    }

    @Test
    void extremeArgumentsGiveZeroAndOneNeverNaN() {
        float[] x = {-1e30f, -200, 200, 1e30f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (Case c : CASES) {
            SoftCodes s = c.coder().soft(site(c.site().op(), 6, c.site().attributes()), Tensor.batch(1, new long[] {6}, x));
            assertEquals(List.of(0f, 0f, 1f, 1f, 0f, 1f), List.of(s.p()[0], s.p()[1], s.p()[2], s.p()[3], s.p()[4], s.p()[5]), c.site().op());
        }
    }

    /** 70 neurons: hard codes are the soft codes hardened at 0.5, i.e. x > 0, across two words. */
    @Test
    void hardCodesAreSoftCodesHardenedAtOneHalf() {
        int w = 70, n = 3;
        float[] x = new float[n * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((i * 29) % 23 - 11) * 0.3f;
        }
        x[5] = Float.NaN;
        for (Case c : CASES) {
            ActivationSite s = site(c.site().op(), w, c.site().attributes());
            Tensor t = Tensor.batch(n, new long[] {w}, x);
            SplineCodes hard = c.coder().hard(s, t);
            assertEquals(w, hard.bits());
            assertEquals(c.coder().soft(s, t).harden(), hard, s.op());
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < w; k++) {
                    assertEquals(x[r * w + k] > 0, hard.get(r, k));
                }
                assertEquals(0, hard.words()[r * 2 + 1] >>> 6, "unused high bits are zero");
            }
        }
    }

    /** Where p rounds to 0.5 in float32, the hard code still has the exact sign of x. */
    @Test
    void hardCodesAreExactWhereProbabilitiesRoundToOneHalf() {
        ActivationSite s = site("Sigmoid", 2, Map.of());
        Tensor t = Tensor.batch(1, new long[] {2}, new float[] {1e-9f, -1e-9f});
        SigmoidCoder c = new SigmoidCoder();
        assertEquals(0.5f, c.soft(s, t).p()[0]);
        assertTrue(c.hard(s, t).get(0, 0));
        assertFalse(c.hard(s, t).get(0, 1));
        assertNotEquals(c.soft(s, t).harden(), c.hard(s, t), "documented: harden() of the rounded p loses the sign");
    }

    @Test
    void swishWithNegativeBetaFlipsTheGate() {
        ActivationSite s = site("Swish", 2, Map.of("beta", -2.0));
        Tensor t = Tensor.batch(1, new long[] {2}, new float[] {1, -1});
        SiluCoder c = new SiluCoder();
        SoftCodes p = c.soft(s, t);
        assertEquals(Gates.sigmoid(-2), p.p()[0], 1e-7);
        assertEquals(Gates.sigmoid(2), p.p()[1], 1e-7);
        assertEquals(0b10L, c.hard(s, t).words()[0]);
        assertEquals(p.harden(), c.hard(s, t));
    }

    /**
     * Sigmoid codes of a = [0, ln 3] and b = [ln 3, -ln 3] are p = [1/2, 3/4] and q = [3/4, 1/4]:
     * expected Hamming sum p(1-q) + q(1-p) = (1/8 + 3/8) + (9/16 + 1/16) = 9/8; L1 = 1/4 + 1/2.
     */
    @Test
    void expectedHammingAndL1ByHand() {
        float ln3 = (float) Math.log(3);
        SoftCodes s = new SigmoidCoder().soft(site("Sigmoid", 2, Map.of()), Tensor.batch(2, new long[] {2}, new float[] {0, ln3, ln3, -ln3}));
        assertEquals(9.0 / 8, s.expectedHamming(0, 1), 1e-6);
        assertEquals(0.75, s.l1(0, 1), 1e-6);
        // a point's expected distance to itself is sum 2p(1-p), not 0; L1 to itself is 0
        assertEquals(2 * 0.25 + 2 * 0.75 * 0.25, s.expectedHamming(0, 0), 1e-6);
        assertEquals(0, s.l1(1, 1));
        // hard sites: expected Hamming of 0/1 codes is their Hamming distance
        SplineCodes h = s.harden();
        assertEquals(h.hamming(0, 1), SoftCodes.of(h).expectedHamming(0, 1));
    }

    @Test
    void eachCoderClaimsItsOwnSoftOps() {
        Map<ActivationCoder, List<String>> claims = Map.of(
                new GeluCoder(), List.of("Gelu"), new SiluCoder(), List.of("SiLU", "Swish"),
                new SigmoidCoder(), List.of("Sigmoid"), new TanhCoder(), List.of("Tanh"));
        List<String> all = List.of("Gelu", "SiLU", "Swish", "Sigmoid", "Tanh", "Relu", "LeakyRelu", "Clip", "MaxPool");
        claims.forEach((coder, ops) -> {
            for (String op : all) {
                assertEquals(ops.contains(op), coder.supports(site(op, 1, Map.of())), coder.id() + " on " + op);
                assertFalse(coder.supports(new ActivationSite("h", op, GateKind.HARD, "p", new long[] {1}, 1)), "hard sites are not smooth");
            }
            assertTrue(coder.description().endsWith("."));
        });
        assertEquals(List.of("gelu", "sigmoid", "silu", "tanh"),
                claims.keySet().stream().map(ActivationCoder::id).sorted().toList());
    }

    @Test
    void configuredOpsAndWrongWidths() {
        SiluCoder.Config swishOnly = Converters.standardConverter().convert(Map.of("ops", new String[] {"Swish"})).to(SiluCoder.Config.class);
        assertFalse(new SiluCoder(swishOnly).supports(site("SiLU", 1, Map.of())));
        assertTrue(new SiluCoder(swishOnly).supports(site("Swish", 1, Map.of())));
        TanhCoder.Config bad = Converters.standardConverter().convert(Map.of("ops", new String[] {"Tanh", "Gelu"})).to(TanhCoder.Config.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TanhCoder(bad));
        assertTrue(e.getMessage().contains("'tanh'") && e.getMessage().contains("'Gelu'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GeluCoder().soft(site("Gelu", 5, Map.of()), Tensor.batch(1, new long[] {4}, new float[4])));
        assertTrue(e.getMessage().contains("5 neurons"), e.getMessage());
    }
}
