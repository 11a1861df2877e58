package org.polytopelens.coder.smooth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GatesTest {
    /** Relative error against reference values (the first three from the brief, the rest from a libm erfc). */
    @Test
    void phiMatchesReferenceValuesToDoublePrecision() {
        assertEquals(0.5, Gates.phi(0), 0);
        assertEquals(0.8413447460685429, Gates.phi(1), 0.8413447460685429 * 1e-15);
        assertEquals(0.022750131948179195, Gates.phi(-2), 0.022750131948179195 * 1e-14);
        double[][] ref = {
            {0.3, 0.6179114221889526}, {-0.4, 0.3445782583896758}, {0.5, 0.6914624612740131}, {-1.5, 0.06680720126885809},
            {2.5, 0.9937903346742238}, {-3.7, 0.00010779973347738823}, {3.9, 0.9999519036559824}, {-5, 2.866515718791946e-07},
            {-6.2, 2.823158037043268e-10}, {-10, 7.619853024160593e-24}, {-20, 2.7536241186063314e-89}, {8, 0.9999999999999993}};
        for (double[] r : ref) {
            assertEquals(r[1], Gates.phi(r[0]), Math.abs(r[1]) * 1e-13, "Phi(" + r[0] + ")");
        }
    }

    @Test
    void erfcAtTheEdges() {
        assertEquals(1, Gates.erfc(0), 0);
        assertEquals(0, Gates.erfc(Double.POSITIVE_INFINITY), 0);
        assertEquals(2, Gates.erfc(Double.NEGATIVE_INFINITY), 0);
        assertEquals(0, Gates.erfc(30), 0);
        assertTrue(Double.isNaN(Gates.erfc(Double.NaN)));
        // continuous across the interval breaks 0.46875 and 4 (erfc itself changes by ~1e-14
        // relative between the neighbours of 4: its log-slope there is -8)
        for (double b : new double[] {0.46875, 4}) {
            assertEquals(Gates.erfc(Math.nextDown(b)), Gates.erfc(Math.nextUp(b)), Gates.erfc(b) * 2e-14);
        }
        assertEquals(1.541725790028002e-08, Gates.erfc(4), 1.541725790028002e-08 * 1e-15);
        for (double x = -6; x <= 6; x += 0.37) {
            assertEquals(2, Gates.erfc(x) + Gates.erfc(-x), 1e-15, "erfc(x) + erfc(-x) = 2 at " + x);
        }
    }

    @Test
    void sigmoidIsStableForLargeArguments() {
        assertEquals(0.5, Gates.sigmoid(0), 0);
        assertEquals(1, Gates.sigmoid(1000), 0);
        assertEquals(0, Gates.sigmoid(-1000), 0);
        assertEquals(1, Gates.sigmoid(Double.POSITIVE_INFINITY), 0);
        assertEquals(0, Gates.sigmoid(Double.NEGATIVE_INFINITY), 0);
        assertEquals(Math.exp(-700), Gates.sigmoid(-700), Math.exp(-700) * 1e-15, "tiny but not 0 (no 1/(1+inf))");
        assertEquals(0.9706877692486436, Gates.sigmoid(3.5), 1e-16);
        for (double x = -30; x <= 30; x += 0.7) {
            assertEquals(1, Gates.sigmoid(x) + Gates.sigmoid(-x), 1e-15);
        }
        assertTrue(Double.isNaN(Gates.sigmoid(Double.NaN)));
    }

    @Test
    void geluTanhIsItsDefinition() {
        for (double x = -5; x <= 5; x += 0.25) {
            double want = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertEquals(want, Gates.geluTanh(x), 1e-15, "at " + x);
        }
    }
}
