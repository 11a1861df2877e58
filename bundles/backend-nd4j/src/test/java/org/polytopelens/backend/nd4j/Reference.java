package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/** An independent double-precision forward pass of an {@link Mlp}, for exactness checks. */
final class Reference {
    private Reference() {}

    /** Gemm outputs of every layer (pre-activations of the hidden layers, then the output), in double. */
    static List<double[]> forward(Mlp mlp, double[] x) {
        List<double[]> pre = new ArrayList<>();
        double[] a = x;
        for (int l = 0; l < mlp.weights().length; l++) {
            int in = mlp.widths()[l];
            int out = mlp.widths()[l + 1];
            double[] z = new double[out];
            for (int o = 0; o < out; o++) {
                double s = mlp.biases()[l][o];
                for (int i = 0; i < in; i++) {
                    s += (double) mlp.weights()[l][o * in + i] * a[i];
                }
                z[o] = s;
            }
            pre.add(z);
            a = new double[out];
            for (int o = 0; o < out; o++) {
                a[o] = Math.max(z[o], 0);
            }
        }
        return pre;
    }

    /** The network output at {@code x}. */
    static double[] output(Mlp mlp, double[] x) {
        List<double[]> pre = forward(mlp, x);
        return pre.get(pre.size() - 1);
    }

    /** The spline code of {@code x} over hidden layers {@code first..last} (1-based): bit = pre-activation > 0. */
    static BitSet code(Mlp mlp, double[] x, int first, int last) {
        List<double[]> pre = forward(mlp, x);
        BitSet bits = new BitSet();
        int k = 0;
        for (int l = first - 1; l < last; l++) {
            for (double z : pre.get(l)) {
                bits.set(k++, z > 0);
            }
        }
        return bits;
    }

    /** Offset of hidden layer {@code layer}'s first bit in a code starting at layer {@code first}. */
    static int offset(Mlp mlp, int first, int layer) {
        int o = 0;
        for (int l = first; l < layer; l++) {
            o += mlp.widths()[l];
        }
        return o;
    }

    static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
