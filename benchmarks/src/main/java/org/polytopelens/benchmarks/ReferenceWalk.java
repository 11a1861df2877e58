package org.polytopelens.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/**
 * A prototype of the fix suggested for the ND4J walk's speed, kept here to measure it (not used
 * by the workbench): the same algorithm and gate rule as the backend's {@code SegmentWalk}, on
 * plain {@code double[]} arrays, with the first layer's pre-activations computed once per segment
 * (they are affine in t whatever the gates: {@code z1(t) = z1(a) + t W1 (b - a)}), so a step
 * costs only the layers after the first (128x64 + 64x10 here, not 784x128) and no native calls.
 */
final class ReferenceWalk {
    private final int[] widths;
    private final double[][] w;
    private final double[][] bias;
    private final double tolerance;

    ReferenceWalk(Mlp mlp, double tolerance) {
        this.widths = mlp.widths();
        this.tolerance = tolerance;
        int layers = widths.length - 1;
        w = new double[layers][];
        bias = new double[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = toDouble(mlp.weights()[l]);
            bias[l] = toDouble(mlp.biases()[l]);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** {@code W_l x (+ b_l)}, W row-major [out, in]. */
    private double[] layer(int l, double[] x, boolean withBias) {
        int in = widths[l];
        int out = widths[l + 1];
        double[] y = new double[out];
        double[] m = w[l];
        for (int o = 0; o < out; o++) {
            double s = withBias ? bias[l][o] : 0;
            int row = o * in;
            for (int i = 0; i < in; i++) {
                s += m[row + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    /** Every boundary of every hidden layer crossed from {@code a} to {@code b}, in increasing t. */
    List<Crossing> walk(float[] a, float[] b) {
        int hidden = widths.length - 2;
        double[] ad = new double[a.length];
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ad[i] = a[i];
            d[i] = (double) b[i] - a[i];
        }
        double[] z1 = layer(0, ad, true);
        double[] dz1 = layer(0, d, false);
        double[][] z = new double[hidden][];
        double[][] dz = new double[hidden][];
        double[][] roots = new double[hidden][];
        boolean[][] crossed = new boolean[hidden][];
        for (int l = 0; l < hidden; l++) {
            roots[l] = new double[widths[l + 1]];
            crossed[l] = new boolean[widths[l + 1]];
        }
        dz[0] = dz1;
        boolean[][] previous = null;
        List<Crossing> out = new ArrayList<>();
        double t = 0;
        while (true) {
            boolean[][] gates = new boolean[hidden][];
            z[0] = new double[z1.length];
            for (int i = 0; i < z1.length; i++) {
                z[0][i] = z1[i] + t * dz1[i];
            }
            gates[0] = gates(z[0], dz[0], crossed[0]);
            for (int l = 1; l < hidden; l++) {
                double[] act = new double[z[l - 1].length];
                double[] dact = new double[act.length];
                for (int i = 0; i < act.length; i++) {
                    if (gates[l - 1][i]) {
                        act[i] = z[l - 1][i];
                        dact[i] = dz[l - 1][i];
                    }
                }
                z[l] = layer(l, act, true);
                dz[l] = layer(l, dact, false);
                gates[l] = gates(z[l], dz[l], crossed[l]);
            }
            if (previous != null) {
                List<Crossing> here = new ArrayList<>();
                for (int l = 0; l < hidden; l++) {
                    for (int i = 0; i < gates[l].length; i++) {
                        if (previous[l][i] != gates[l][i]) {
                            here.add(new Crossing(crossed[l][i] ? roots[l][i] : t, Mlp.relu(l + 1), i));
                        }
                    }
                }
                here.sort(Comparator.comparingDouble(Crossing::t));
                out.addAll(here);
            }
            double next = Double.POSITIVE_INFINITY;
            for (int l = 0; l < hidden; l++) {
                for (int i = 0; i < z[l].length; i++) {
                    double r = ahead(t, z[l][i], dz[l][i], gates[l][i]);
                    roots[l][i] = r;
                    next = Math.min(next, r);
                }
            }
            if (next == Double.POSITIVE_INFINITY) {
                return out;
            }
            double last = next;
            for (int l = 0; l < hidden; l++) {
                for (int i = 0; i < z[l].length; i++) {
                    crossed[l][i] = roots[l][i] <= next + tolerance;
                    if (crossed[l][i]) {
                        last = Math.max(last, roots[l][i]);
                    }
                }
            }
            previous = gates;
            t = last;
        }
    }

    /** The root in (t, 1) of a neuron moving towards its boundary, else +infinity. */
    private static double ahead(double t, double z, double dz, boolean on) {
        if ((on && dz < 0) || (!on && dz > 0)) {
            double r = t - z / dz;
            if (r > t && r < 1) {
                return r;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Right-limit gates: sign of z, or of dz for neurons at their boundary. */
    private boolean[] gates(double[] z, double[] dz, boolean[] crossed) {
        boolean[] g = new boolean[z.length];
        for (int i = 0; i < z.length; i++) {
            boolean atBoundary = Math.abs(z[i]) <= tolerance * Math.abs(dz[i]) || crossed[i];
            g[i] = atBoundary ? dz[i] > 0 : z[i] > 0;
        }
        return g;
    }
}
