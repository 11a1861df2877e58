package org.polytopelens.analysis.density;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of float rows on the JDK's SIMD Vector API ({@code jdk.incubator.vector}), ~10x
 * the scalar loop on this machine's AVX-512 (Java 17 does not vectorise a floating-point
 * reduction by itself). Only loaded when the JVM has the module ({@code --add-modules
 * jdk.incubator.vector}, which {@code bin/workbench} passes); {@link #AVAILABLE} says whether it
 * is, so callers fall back to scalar code without it. Sums run per lane in float (each lane adds
 * every {@code lanes}-th product) and the lanes are added at the end: a relative error of about
 * 1e-6 of the dot product, like the scalar blocks it replaces.
 */
final class SimdDots {
    /** False when the module is missing, or when {@code -Dpolytopelens.simd=false} asks for the scalar code. */
    static final boolean AVAILABLE = probe();

    private SimdDots() {}

    private static boolean probe() {
        if (!Boolean.parseBoolean(System.getProperty("polytopelens.simd", "true"))) {
            return false;
        }
        try {
            return Kernel.dot(new float[] {1, 2, 3}, 0, new float[] {4, 5, 6}, 0, 3) == 32;
        } catch (LinkageError e) { // NoClassDefFoundError: the JVM has no jdk.incubator.vector
            return false;
        }
    }

    /** What the dot products run on, for logs: e.g. "SIMD, 16 float lanes". */
    static String describe() {
        return AVAILABLE ? "SIMD, " + Kernel.S.length() + " float lanes" : "scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)";
    }

    static double dot(float[] x, int ox, float[] y, int oy, int dim) {
        return Kernel.dot(x, ox, y, oy, dim);
    }

    /** {@code out[at + r * stride] = row(a + r) . row(b)} for r < 4: the b row is loaded once for four a rows. */
    static void dots4(float[] p, int dim, int a, int b, double[] out, int at, int stride) {
        Kernel.dots4(p, dim, a, b, out, at, stride);
    }

    /** Holds the species: touching it is what fails without the module, so it sits behind the probe. */
    private static final class Kernel {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        static double dot(float[] x, int ox, float[] y, int oy, int dim) {
            int lanes = S.length(), k = 0;
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            for (; k + 2 * lanes <= dim; k += 2 * lanes) {
                s0 = FloatVector.fromArray(S, x, ox + k).fma(FloatVector.fromArray(S, y, oy + k), s0);
                s1 = FloatVector.fromArray(S, x, ox + k + lanes).fma(FloatVector.fromArray(S, y, oy + k + lanes), s1);
            }
            double d = s0.add(s1).reduceLanes(VectorOperators.ADD);
            for (; k < dim; k++) {
                d += (double) x[ox + k] * y[oy + k];
            }
            return d;
        }

        static void dots4(float[] p, int dim, int a, int b, double[] out, int at, int stride) {
            int lanes = S.length(), k = 0;
            int o0 = a * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim, ob = b * dim;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (; k + lanes <= dim; k += lanes) {
                FloatVector y = FloatVector.fromArray(S, p, ob + k);
                s0 = FloatVector.fromArray(S, p, o0 + k).fma(y, s0);
                s1 = FloatVector.fromArray(S, p, o1 + k).fma(y, s1);
                s2 = FloatVector.fromArray(S, p, o2 + k).fma(y, s2);
                s3 = FloatVector.fromArray(S, p, o3 + k).fma(y, s3);
            }
            double d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
            double d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
            for (; k < dim; k++) {
                double y = p[ob + k];
                d0 += p[o0 + k] * y;
                d1 += p[o1 + k] * y;
                d2 += p[o2 + k] * y;
                d3 += p[o3 + k] * y;
            }
            out[at] = d0;
            out[at + stride] = d1;
            out[at + 2 * stride] = d2;
            out[at + 3 * stride] = d3;
        }
    }
}
