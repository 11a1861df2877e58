package org.polytopelens.api.data;

/**
 * The affine map {@code y = A x + c} a piecewise-linear network computes inside one polytope:
 * {@code a} is {@code outputs x inputs} row-major, {@code c} has {@code outputs} values.
 */
public record AffineMap(int outputs, int inputs, double[] a, double[] c) {
    public AffineMap {
        if (a.length != (long) outputs * inputs || c.length != outputs) {
            throw new IllegalArgumentException("affine map " + outputs + " x " + inputs + " needs A of " + (long) outputs * inputs
                    + " and c of " + outputs + " values");
        }
    }

    /** Frobenius norm of {@code A - other.A}: the paper's "transformation distance". */
    public double frobeniusDistance(AffineMap other) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - other.a[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
