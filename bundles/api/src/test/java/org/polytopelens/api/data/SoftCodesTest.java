package org.polytopelens.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SoftCodesTest {
    @Test
    void expectedHammingAndL1ByHand() {
        SoftCodes s = new SoftCodes(2, 3, new float[] {0.5f, 1f, 0.2f, 0.5f, 0f, 0.6f});
        // sum p(1-q)+q(1-p): 0.5 + 1 + (0.2*0.4 + 0.6*0.8 = 0.56)
        assertEquals(2.06, s.expectedHamming(0, 1), 1e-6);
        assertEquals(0 + 1 + 0.4, s.l1(0, 1), 1e-6);
        // Two identical hard codes are at expected distance 0; a soft code is not at 0 from itself.
        assertEquals(0.5, s.expectedHamming(0, 0) - 0.32, 1e-6);
    }

    @Test
    void hardeningAndHardCodesRoundTrip() {
        SoftCodes s = new SoftCodes(1, 4, new float[] {0.5f, 0.51f, 0.9f, 0.1f});
        SplineCodes h = s.harden();
        assertEquals(false, h.get(0, 0));
        assertEquals(true, h.get(0, 1));
        assertEquals(true, h.get(0, 2));
        assertEquals(false, h.get(0, 3));
        assertEquals(h, SoftCodes.of(h).harden());
        assertEquals(0.0, SoftCodes.of(h).expectedHamming(0, 0));
    }
}
