package org.polytopelens.analysis.slice;

/**
 * The plane through three points a, b, c of a layer's space and its N x N pixel grid.
 *
 * <p>Basis by Gram–Schmidt: {@code u = (b - a) / |b - a|}, {@code v} the unit part of
 * {@code c - a} orthogonal to u. In plane coordinates a = (0, 0), b = (|b - a|, 0) and c =
 * ({@code <c - a, u>}, {@code <c - a, v>}) with its second coordinate > 0. The grid is square
 * (the same step along x and y, so the slice is not distorted): it covers the bounding box of the
 * three points, centred, with side {@code extent * (1 + 2 margin)} where extent is the box's
 * longer side. Pixel (row, col) is the point {@code a + x u + y v} with {@code x = x0 + col *
 * step}, {@code y = y0 - row * step}: row 0 at the top, as in {@code HeatMap}.
 */
record Plane(double[] a, double[] u, double[] v, int n, double x0, double y0, double step, double[][] coords) {

    /** The plane and grid; throws naming {@code what} when the three points do not span a plane. */
    static Plane of(float[] a, float[] b, float[] c, int n, double margin, String[] what) {
        int d = a.length;
        if (b.length != d || c.length != d) {
            throw new IllegalArgumentException("points of different dimensions: " + a.length + ", " + b.length + ", " + c.length);
        }
        double[] o = new double[d], u = new double[d], v = new double[d];
        for (int k = 0; k < d; k++) {
            o[k] = a[k];
            u[k] = (double) b[k] - a[k];
            v[k] = (double) c[k] - a[k];
        }
        double ab = norm(u), ac = norm(v);
        if (!(ab > 0)) {
            throw new IllegalArgumentException(what[0] + " and " + what[1] + " are the same point in this space: choose three examples with distinct points");
        }
        scale(u, 1 / ab);
        double cu = dot(v, u);
        for (int k = 0; k < d; k++) {
            v[k] -= cu * u[k];
        }
        double cv = norm(v);
        // Relative test: float rounding leaves a residue of about 1e-7 |c - a| on a line.
        if (!(ac > 0) || !(cv > 1e-5 * ac)) {
            throw new IllegalArgumentException(what[0] + ", " + what[1] + " and " + what[2]
                    + " are collinear in this space (no plane through them): choose three examples not on one line");
        }
        scale(v, 1 / cv);
        double[][] coords = {{0, 0}, {ab, 0}, {cu, cv}};
        double xmin = Math.min(0, cu), xmax = Math.max(ab, cu), ymin = 0, ymax = cv;
        double extent = Math.max(xmax - xmin, ymax - ymin);
        double side = extent * (1 + 2 * margin);
        double step = side / (n - 1);
        return new Plane(o, u, v, n, (xmin + xmax) / 2 - side / 2, (ymin + ymax) / 2 + side / 2, step, coords);
    }

    /**
     * The same grid with another origin and basis: the plane's image under an affine map f, given
     * f(a) and the images of the basis directions (the linear part applied to u and v). Pixel
     * (row, col) of the image is f of pixel (row, col) of this plane.
     */
    Plane image(double[] fa, double[] fu, double[] fv) {
        return new Plane(fa, fu, fv, n, x0, y0, step, coords);
    }

    double x(int col) {
        return x0 + col * step;
    }

    double y(int row) {
        return y0 - row * step;
    }

    /** The grid point of pixel (row, col), written into {@code out} at {@code at}. */
    void point(int row, int col, float[] out, int at) {
        point(rowOrigin(row, new double[a.length]), col, out, at);
    }

    /** {@code a + y(row) v}: the part of a row's points shared by all its pixels (for {@link #point(double[], int, float[], int)}). */
    double[] rowOrigin(int row, double[] out) {
        double y = y(row);
        for (int k = 0; k < a.length; k++) {
            out[k] = a[k] + y * v[k];
        }
        return out;
    }

    /** The grid point of pixel (row, col) from its row's {@link #rowOrigin}: one multiply-add per value. */
    void point(double[] rowOrigin, int col, float[] out, int at) {
        double x = x(col);
        for (int k = 0; k < rowOrigin.length; k++) {
            out[at + k] = (float) (rowOrigin[k] + x * u[k]);
        }
    }

    /** Fractional pixel position {col, row} of plane coordinates (x, y). */
    double[] pixel(double x, double y) {
        return new double[] {(x - x0) / step, (y0 - y) / step};
    }

    /** Fractional pixel position {col, row} of a (0), b (1) or c (2). */
    double[] pixelOf(int which) {
        return pixel(coords[which][0], coords[which][1]);
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            s += x[k] * y[k];
        }
        return s;
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    private static void scale(double[] x, double f) {
        for (int k = 0; k < x.length; k++) {
            x[k] *= f;
        }
    }
}
