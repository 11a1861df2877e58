package org.polytopelens.backend.onnx;

/**
 * The standard normal CDF for checking GELU, independent of the coders' implementation (Cody's
 * rational approximation): Phi(x) = erfc(-x / sqrt 2) / 2 with erf's Taylor series for |z| &lt; 3
 * and erfc's continued fraction beyond; absolute error below 1e-13.
 */
final class Phi {
    private Phi() {}

    static double phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double erfc(double z) {
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z < 3) {
            // erf z = 2/sqrt(pi) sum_n (-1)^n z^(2n+1) / (n! (2n+1)); largest term ~170 at z = 3
            double sum = 0;
            double term = z;
            for (int n = 0; n < 200 && Math.abs(term) > 1e-18; n++) {
                sum += term / (2 * n + 1);
                term *= -z * z / (n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc z = e^(-z^2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))), evaluated backwards
        double f = z;
        for (int k = 80; k >= 1; k--) {
            f = z + (k / 2.0) / f;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }
}
