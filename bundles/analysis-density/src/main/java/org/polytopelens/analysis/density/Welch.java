package org.polytopelens.analysis.density;

import org.apache.commons.math3.special.Beta;

/**
 * Welch's unequal-variances t-test of two means: {@code t = (m1 - m2) / sqrt(v1/n1 + v2/n2)},
 * Welch–Satterthwaite degrees of freedom, and the two-sided p-value from Student's t
 * distribution. NaN where undefined (a group with fewer than two values; both variances zero
 * and equal means).
 */
record Welch(double t, double df, double p) {
    static Welch of(double mean1, double var1, long n1, double mean2, double var2, long n2) {
        if (n1 < 2 || n2 < 2) {
            return new Welch(Double.NaN, Double.NaN, Double.NaN);
        }
        double a = var1 / n1, b = var2 / n2, se2 = a + b;
        double diff = mean1 - mean2;
        if (se2 == 0) { // both groups constant: no spread to test against
            return diff == 0 ? new Welch(Double.NaN, Double.NaN, Double.NaN) : new Welch(Math.copySign(Double.POSITIVE_INFINITY, diff), Double.NaN, 0);
        }
        double t = diff / Math.sqrt(se2);
        double df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1));
        return new Welch(t, df, twoSidedP(t, df));
    }

    /**
     * {@code P(|T| >= |t|)} for Student's t with {@code df} degrees of freedom: the regularised
     * incomplete beta {@code I_x(df/2, 1/2)} at {@code x = df / (df + t^2)}. Evaluated directly
     * (not as 1 - CDF), so tiny p-values keep their precision (the paper reports 3.8e-46).
     */
    static double twoSidedP(double t, double df) {
        if (Double.isNaN(t) || Double.isNaN(df) || df <= 0) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        double x = df / (df + t * t);
        return Math.min(1, Beta.regularizedBeta(x, df / 2, 0.5, 1e-15, Integer.MAX_VALUE));
    }
}
