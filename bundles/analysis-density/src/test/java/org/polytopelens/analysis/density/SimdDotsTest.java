package org.polytopelens.analysis.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SIMD and scalar dot products against a plain double sum, for dimensions with and without a tail. */
class SimdDotsTest {
    @Test
    void theTestJvmHasTheVectorApi() {
        // The surefire argLine adds the module: without it the tests below would only cover the scalar code.
        assertTrue(SimdDots.AVAILABLE, SimdDots.describe());
        assertTrue(SimdDots.describe().startsWith("SIMD"), SimdDots.describe());
    }

    @Test
    void dotsAgreeWithADoubleSum() {
        Random r = new Random(3);
        for (int dim : new int[] {1, 3, 16, 20, 33, 64, 100, 784, 1352}) {
            int n = 9;
            float[] p = new float[n * dim];
            for (int k = 0; k < p.length; k++) {
                p[k] = (float) (r.nextGaussian() + 0.5);
            }
            double[] tile = new double[n * n];
            Space space = new Space(n, dim, p, null, null);
            space.tileDots(0, n, 0, n, tile, n);
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    double want = 0, scale = 0;
                    for (int k = 0; k < dim; k++) {
                        want += (double) p[a * dim + k] * p[b * dim + k];
                        scale += Math.abs((double) p[a * dim + k] * p[b * dim + k]);
                    }
                    double tol = 1e-6 * scale + 1e-12;
                    String where = "dim " + dim + ", rows " + a + ", " + b;
                    assertEquals(want, SimdDots.dot(p, a * dim, p, b * dim, dim), tol, where + " (SIMD)");
                    assertEquals(want, Space.scalarDot(p, a * dim, b * dim, dim), tol, where + " (scalar)");
                    assertEquals(want, tile[a * n + b], tol, where + " (tile: 4-row SIMD kernel and its scalar remainder)");
                    assertEquals(want, space.dot(a, b), tol, where);
                }
            }
        }
    }

    @Test
    void distanceFallsBackToTheDirectSumForClosePoints() {
        // Two points at distance 1e-3 with norms ~1e3: the Gram form cancels (sq ~1e-6 against 2e6).
        int dim = 50;
        float[] p = new float[2 * dim];
        for (int k = 0; k < dim; k++) {
            p[k] = 100f + k;
            p[dim + k] = p[k];
        }
        p[dim + 7] += 0.0078125f; // exactly representable step at this magnitude
        Space space = new Space(2, dim, p, null, null);
        assertEquals(0.0078125, space.distance(0, 1), 1e-12);
        assertEquals(0.0078125, space.distance(0, 1, space.dot(0, 1)), 1e-12);
    }
}
