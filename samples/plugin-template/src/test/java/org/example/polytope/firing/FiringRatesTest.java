package org.example.polytope.firing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.polytopelens.api.data.SplineCodes;

class FiringRatesTest {
    /** Codes built by hand; the counts are read off the rows. */
    @Test
    void ratesDeadAndLinearNeuronsAndPolytopesFromHandBuiltCodes() {
        // 4 points x 70 bits (two words per row): bit 0 always on, bit 69 on for two points,
        // bit 5 on for one; points 0 and 3 share a code.
        SplineCodes a = new SplineCodes.Builder(2, 70).set(0, 0).set(0, 69).set(1, 0).set(1, 5).build();
        SplineCodes b = new SplineCodes.Builder(2, 70).set(0, 0).set(1, 0).set(1, 69).build();
        FiringRates r = new FiringRates(70);
        r.add(a);
        r.add(b);
        assertEquals(4, r.points());
        assertEquals(1.0, r.rate(0));
        assertEquals(0.5, r.rate(69));
        assertEquals(0.25, r.rate(5));
        assertEquals(0.0, r.rate(6));
        assertEquals(67, r.neverOn(), "70 bits minus bits 0, 5 and 69");
        assertEquals(1, r.alwaysOn());
        assertEquals(3, r.polytopes(), "{0,69} twice, {0,5}, {0}");
        assertEquals(70, r.rates().length);
        assertArrayEquals(new double[] {1.0, 0, 0, 0, 0, 0.25}, java.util.Arrays.copyOf(r.rates(), 6));
    }

    @Test
    void codesOfAnotherWidthAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new FiringRates(8).add(new SplineCodes.Builder(1, 9).build()));
        assertEquals("codes of 9 bits, expected 8", e.getMessage());
    }
}
