package org.polytopelens.analysis.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WelchTest {
    @Test
    void pValuesMatchKnownValues() {
        // scipy.stats.t.sf(2, 10) * 2
        assertEquals(0.07338803477074, Welch.twoSidedP(2.0, 10), 1e-13);
        assertEquals(0.07338803477074, Welch.twoSidedP(-2.0, 10), 1e-13);
        assertEquals(1, Welch.twoSidedP(0, 7), 1e-15);
        // df = 1 is the Cauchy distribution: P(|T| >= 1) = 1/2.
        assertEquals(0.5, Welch.twoSidedP(1, 1), 1e-14);
    }

    @Test
    void pValuesMatchNumericalIntegration() {
        for (double[] c : new double[][] {{-1.0, 3.5}, {2.5, 4.2}, {0.3, 17.0}, {4.0, 2.0}, {1.7, 1873.3}}) {
            double p = Welch.twoSidedP(c[0], c[1]);
            assertEquals(StudentT.integratedTwoSidedP(c[0], c[1]), p, 1e-9, "t = " + c[0] + ", df = " + c[1]);
        }
        // df = 2 has a closed form: P(|T| >= t) = 1 - t / sqrt(t^2 + 2).
        assertEquals(1 - 4 / Math.sqrt(18), Welch.twoSidedP(4, 2), 1e-14);
    }

    @Test
    void tinyPValuesKeepTheirPrecision() {
        // The paper: t(1873.3) = -14.7, p = 3.8e-46 (t rounded to 0.1, so only the order of magnitude).
        double p = Welch.twoSidedP(-14.7, 1873.3);
        assertTrue(p > 1e-46 && p < 1e-45, "p = " + p);
        // Far tail against the asymptotic normal bound for large df: still positive, not 0 from cancellation.
        assertTrue(Welch.twoSidedP(30, 1e6) > 0);
    }

    @Test
    void welchStatisticAndDegreesOfFreedom() {
        // Two groups by hand: means 1 and 3, variances 2 and 8, sizes 5 and 10.
        Welch w = Welch.of(1, 2, 5, 3, 8, 10);
        double a = 2.0 / 5, b = 8.0 / 10;
        assertEquals(-2 / Math.sqrt(a + b), w.t(), 1e-14);
        assertEquals((a + b) * (a + b) / (a * a / 4 + b * b / 9), w.df(), 1e-12);
        assertEquals(Welch.twoSidedP(w.t(), w.df()), w.p(), 0);
        assertTrue(Double.isNaN(Welch.of(1, 0, 1, 2, 1, 5).t()), "one value in a group: no test");
    }
}
