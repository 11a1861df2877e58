package org.polytopelens.backend.nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.TensorProto;

/**
 * A small convolutional network described layer by layer: it writes itself as an ONNX model
 * (with {@link OnnxModelBuilder}) and evaluates itself independently in double precision, with
 * the coders' rules for codes (Relu family: x &gt; 0; Clip: bit 0 = x &gt; min, bit 1 = x &gt;
 * max; MaxPool: the first maximum's index in window order). Layer {@code i} (from 0) reads
 * {@link #tensor(int) tensor(i)} and writes {@code tensor(i + 1)}; a site's pre-activation is
 * its layer's input.
 */
final class Cnn {
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    static final Set<String> SITE_OPS = Set.of("Relu", "LeakyRelu", "PRelu", "Clip", "MaxPool");

    /** One layer on points of shape {@code in} ([C, H, W] or [F]). */
    interface Layer {
        String name();

        String op();

        int[] shape(int[] in);

        double[] forward(double[] x, int[] in);

        void onnx(OnnxModelBuilder b, String in, String out);

        /** The code (one int per neuron) of a site layer at input {@code z}. */
        default int[] code(double[] z, int[] in) {
            throw new UnsupportedOperationException(op() + " is not a site");
        }
    }

    final int[] input;
    final List<Layer> layers;

    Cnn(int[] input, List<Layer> layers) {
        this.input = input;
        this.layers = List.copyOf(layers);
    }

    String tensor(int i) {
        return i == 0 ? INPUT : i == layers.size() ? OUTPUT : layers.get(i - 1).name() + ".out";
    }

    /** Point shape of {@code tensor(i)}. */
    int[] shape(int i) {
        int[] s = input;
        for (int l = 0; l < i; l++) {
            s = layers.get(l).shape(s);
        }
        return s;
    }

    int size(int i) {
        return Arrays.stream(shape(i)).reduce(1, (a, b) -> a * b);
    }

    List<Layer> sites() {
        return layers.stream().filter(l -> SITE_OPS.contains(l.op())).toList();
    }

    int indexOf(String layer) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(layer)) {
                return i;
            }
        }
        throw new IllegalArgumentException(layer);
    }

    Path save(Path file) throws IOException {
        OnnxModelBuilder b = new OnnxModelBuilder("cnn");
        b.input(INPUT, batch(input));
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).onnx(b, tensor(i), tensor(i + 1));
        }
        b.output(OUTPUT, batch(shape(layers.size())));
        return b.save(file);
    }

    private static long[] batch(int[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = -1;
        for (int i = 0; i < shape.length; i++) {
            s[i + 1] = shape[i];
        }
        return s;
    }

    /** Every tensor from {@code tensor(from)} = {@code x} on: element {@code i - from} is tensor(i). */
    List<double[]> forward(int from, double[] x) {
        List<double[]> out = new ArrayList<>();
        out.add(x);
        int[] s = shape(from);
        for (int l = from; l < layers.size(); l++) {
            x = layers.get(l).forward(x, s);
            s = layers.get(l).shape(s);
            out.add(x);
        }
        return out;
    }

    /** The codes of the named sites (all downstream of {@code tensor(from)}) at {@code x}. */
    Map<String, int[]> codes(int from, double[] x, Set<String> sites) {
        List<double[]> t = forward(from, x);
        Map<String, int[]> codes = new LinkedHashMap<>();
        for (int l = from; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            if (sites.contains(layer.name())) {
                codes.put(layer.name(), layer.code(t.get(l - from), shape(l)));
            }
        }
        return codes;
    }

    // --- layers ------------------------------------------------------------------------------------

    /** 2-D convolution, weight [m, c / group, k, k], pads {top, left, bottom, right}. */
    record Conv(String name, int m, int k, int stride, int[] pads, int dilation, int group, float[] w, float[] bias) implements Layer {
        static Conv random(Random r, String name, int inChannels, int m, int k, int stride, int[] pads, int dilation, int group) {
            int fanIn = inChannels / group * k * k;
            return new Conv(name, m, k, stride, pads, dilation, group, uniform(r, m * fanIn, fanIn), uniform(r, m, fanIn));
        }

        @Override
        public String op() {
            return "Conv";
        }

        @Override
        public int[] shape(int[] in) {
            int extent = (k - 1) * dilation + 1;
            return new int[] {m, (in[1] + pads[0] + pads[2] - extent) / stride + 1, (in[2] + pads[1] + pads[3] - extent) / stride + 1};
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            int[] o = shape(in);
            int cg = in[0] / group;
            int mg = m / group;
            double[] y = new double[o[0] * o[1] * o[2]];
            for (int oc = 0; oc < m; oc++) {
                int g = oc / mg;
                for (int oh = 0; oh < o[1]; oh++) {
                    for (int ow = 0; ow < o[2]; ow++) {
                        double s = bias[oc];
                        for (int c = 0; c < cg; c++) {
                            for (int kh = 0; kh < k; kh++) {
                                int ih = oh * stride - pads[0] + kh * dilation;
                                if (ih < 0 || ih >= in[1]) {
                                    continue;
                                }
                                for (int kw = 0; kw < k; kw++) {
                                    int iw = ow * stride - pads[1] + kw * dilation;
                                    if (iw < 0 || iw >= in[2]) {
                                        continue;
                                    }
                                    s += (double) w[((oc * cg + c) * k + kh) * k + kw] * x[((g * cg + c) * in[1] + ih) * in[2] + iw];
                                }
                            }
                        }
                        y[(oc * o[1] + oh) * o[2] + ow] = s;
                    }
                }
            }
            return y;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            int cg = w.length / (m * k * k);
            b.initializer(name + ".weight", w, m, cg, k, k).initializer(name + ".bias", bias, m);
            b.node(name, "Conv", List.of(in, name + ".weight", name + ".bias"), List.of(out), Map.of("kernel_shape", new long[] {k, k},
                    "strides", new long[] {stride, stride}, "pads", Arrays.stream(pads).asLongStream().toArray(),
                    "dilations", new long[] {dilation, dilation}, "group", (long) group));
        }
    }

    /** Inference-mode batch norm. */
    record BatchNorm(String name, float[] gamma, float[] beta, float[] mean, float[] var, float eps) implements Layer {
        static BatchNorm random(Random r, String name, int c) {
            float[] var = new float[c];
            for (int i = 0; i < c; i++) {
                var[i] = 0.2f + r.nextFloat();
            }
            return new BatchNorm(name, gauss(r, c, 0.5, 1), gauss(r, c, 0.2, 0), gauss(r, c, 0.2, 0), var, 1e-5f);
        }

        @Override
        public String op() {
            return "BatchNormalization";
        }

        @Override
        public int[] shape(int[] in) {
            return in;
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            int plane = in[1] * in[2];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int c = i / plane;
                y[i] = (x[i] - mean[c]) / Math.sqrt((double) var[c] + (double) eps) * gamma[c] + beta[c];
            }
            return y;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            int c = gamma.length;
            b.initializer(name + ".gamma", gamma, c).initializer(name + ".beta", beta, c).initializer(name + ".mean", mean, c)
                    .initializer(name + ".var", var, c);
            b.node(name, "BatchNormalization", List.of(in, name + ".gamma", name + ".beta", name + ".mean", name + ".var"), List.of(out),
                    Map.of("epsilon", eps));
        }
    }

    /** Relu (slope 0), LeakyRelu (alpha) or PRelu (one slope per channel, as an initializer [C, 1, 1]). */
    record Ramp(String name, String op, float alpha, float[] slopes) implements Layer {
        static Ramp relu(String name) {
            return new Ramp(name, "Relu", 0, null);
        }

        static Ramp leaky(String name, float alpha) {
            return new Ramp(name, "LeakyRelu", alpha, null);
        }

        static Ramp prelu(String name, float[] slopes) {
            return new Ramp(name, "PRelu", 0, slopes);
        }

        @Override
        public int[] shape(int[] in) {
            return in;
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            int plane = x.length / in[0];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double neg = slopes != null ? slopes[i / plane] : alpha;
                y[i] = x[i] > 0 ? x[i] : neg * x[i];
            }
            return y;
        }

        @Override
        public int[] code(double[] z, int[] in) {
            int[] c = new int[z.length];
            for (int i = 0; i < z.length; i++) {
                c[i] = z[i] > 0 ? 1 : 0;
            }
            return c;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            switch (op) {
                case "Relu" -> b.relu(name, in, out);
                case "LeakyRelu" -> b.node(name, "LeakyRelu", List.of(in), List.of(out), Map.of("alpha", alpha));
                default -> b.initializer(name + ".slope", slopes, slopes.length, 1, 1)
                        .node(name, "PRelu", List.of(in, name + ".slope"), List.of(out), Map.of());
            }
        }
    }

    /** Clip with constant min and max inputs (opset 11+). */
    record Clip(String name, float min, float max) implements Layer {
        @Override
        public String op() {
            return "Clip";
        }

        @Override
        public int[] shape(int[] in) {
            return in;
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.min(Math.max(x[i], min), max);
            }
            return y;
        }

        @Override
        public int[] code(double[] z, int[] in) {
            int[] c = new int[z.length];
            for (int i = 0; i < z.length; i++) {
                c[i] = (z[i] > min ? 1 : 0) | (z[i] > max ? 2 : 0);
            }
            return c;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            b.initializer(name + ".min", new float[] {min}).initializer(name + ".max", new float[] {max});
            b.node(name, "Clip", List.of(in, name + ".min", name + ".max"), List.of(out), Map.of());
        }
    }

    /** MaxPool or AveragePool (count_include_pad 0), square kernel, pads {top, left, bottom, right}. */
    record Pool(String name, String op, int k, int stride, int[] pads, int dilation) implements Layer {
        @Override
        public int[] shape(int[] in) {
            int extent = (k - 1) * dilation + 1;
            return new int[] {in[0], (in[1] + pads[0] + pads[2] - extent) / stride + 1, (in[2] + pads[1] + pads[3] - extent) / stride + 1};
        }

        /** Per output (C order): the input offsets of its window in window order, -1 in the padding. */
        private int[][] windows(int[] in) {
            int[] o = shape(in);
            int[][] win = new int[o[0] * o[1] * o[2]][k * k];
            for (int c = 0; c < o[0]; c++) {
                for (int oh = 0; oh < o[1]; oh++) {
                    for (int ow = 0; ow < o[2]; ow++) {
                        int[] w = win[(c * o[1] + oh) * o[2] + ow];
                        for (int kh = 0; kh < k; kh++) {
                            for (int kw = 0; kw < k; kw++) {
                                int ih = oh * stride - pads[0] + kh * dilation;
                                int iw = ow * stride - pads[1] + kw * dilation;
                                boolean inside = ih >= 0 && ih < in[1] && iw >= 0 && iw < in[2];
                                w[kh * k + kw] = inside ? (c * in[1] + ih) * in[2] + iw : -1;
                            }
                        }
                    }
                }
            }
            return win;
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            int[][] win = windows(in);
            double[] y = new double[win.length];
            for (int j = 0; j < win.length; j++) {
                double best = Double.NEGATIVE_INFINITY;
                double sum = 0;
                int n = 0;
                for (int at : win[j]) {
                    if (at >= 0) {
                        best = Math.max(best, x[at]);
                        sum += x[at];
                        n++;
                    }
                }
                y[j] = op.equals("MaxPool") ? best : sum / n;
            }
            return y;
        }

        @Override
        public int[] code(double[] z, int[] in) {
            int[][] win = windows(in);
            int[] c = new int[win.length];
            for (int j = 0; j < win.length; j++) {
                int best = -1;
                for (int p = 0; p < win[j].length; p++) {
                    int at = win[j][p];
                    if (at >= 0 && (best < 0 || z[at] > z[win[j][best]])) {
                        best = p;
                    }
                }
                c[j] = best;
            }
            return c;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            Map<String, Object> a = new LinkedHashMap<>(Map.of("kernel_shape", new long[] {k, k}, "strides", new long[] {stride, stride},
                    "pads", Arrays.stream(pads).asLongStream().toArray()));
            if (dilation != 1) {
                a.put("dilations", new long[] {dilation, dilation});
            }
            b.node(name, op, List.of(in), List.of(out), a);
        }
    }

    /** Transpose of the spatial axes (perm [0, 1, 3, 2]). */
    record SwapHW(String name) implements Layer {
        @Override
        public String op() {
            return "Transpose";
        }

        @Override
        public int[] shape(int[] in) {
            return new int[] {in[0], in[2], in[1]};
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            double[] y = new double[x.length];
            for (int c = 0; c < in[0]; c++) {
                for (int h = 0; h < in[1]; h++) {
                    for (int w = 0; w < in[2]; w++) {
                        y[(c * in[2] + w) * in[1] + h] = x[(c * in[1] + h) * in[2] + w];
                    }
                }
            }
            return y;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            b.node(name, "Transpose", List.of(in), List.of(out), Map.of("perm", new long[] {0, 1, 3, 2}));
        }
    }

    /** Flatten (axis 1), or Reshape to [0, -1] with the shape as an int64 Constant node. */
    record Flat(String name, String op) implements Layer {
        @Override
        public int[] shape(int[] in) {
            return new int[] {Arrays.stream(in).reduce(1, (a, b) -> a * b)};
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            return x;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            if (op.equals("Flatten")) {
                b.node(name, "Flatten", List.of(in), List.of(out), Map.of());
                return;
            }
            TensorProto shape = TensorProto.newBuilder().setName(name + ".shape").setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(2).addInt64Data(0).addInt64Data(-1).build();
            b.node(name + ".shape", "Constant", List.of(), List.of(name + ".shape"), Map.of("value", shape));
            b.node(name, "Reshape", List.of(in, name + ".shape"), List.of(out), Map.of());
        }
    }

    /** Fully connected, weight [out, in] (Gemm with transB). */
    record Dense(String name, int out, float[] w, float[] bias) implements Layer {
        static Dense random(Random r, String name, int in, int out) {
            return new Dense(name, out, uniform(r, out * in, in), uniform(r, out, in));
        }

        @Override
        public String op() {
            return "Gemm";
        }

        @Override
        public int[] shape(int[] in) {
            return new int[] {out};
        }

        @Override
        public double[] forward(double[] x, int[] in) {
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < x.length; i++) {
                    s += (double) w[o * x.length + i] * x[i];
                }
                y[o] = s;
            }
            return y;
        }

        @Override
        public void onnx(OnnxModelBuilder b, String in, String out) {
            b.initializer(name + ".weight", w, this.out, w.length / this.out).initializer(name + ".bias", bias, this.out);
            b.gemm(name, in, name + ".weight", name + ".bias", out, true);
        }
    }

    /** PyTorch's default initialisation: uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    static float[] uniform(Random r, int n, int fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (2 * r.nextFloat() - 1) * bound;
        }
        return v;
    }

    static float[] gauss(Random r, int n, double scale, double mean) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + scale * r.nextGaussian());
        }
        return v;
    }
}
