package org.polytopelens.onnx.build;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.polytopelens.onnx.proto.Onnx.ModelProto;

/**
 * A small image classifier in the paper's style: blocks of {@code Conv (k x k, stride 1, no
 * padding) -> Relu -> MaxPool 2x2/2}, then {@code Flatten} and a ReLU MLP head, NCHW throughout
 * (PyTorch's layout, so weights match {@code torch.nn.Conv2d} and {@code Linear}).
 *
 * <p>Names: block {@code i = 1..}: nodes {@code conv<i>}, {@code relu<i>}, {@code pool<i>}
 * writing {@code conv<i>.out}, {@code relu<i>.out}, {@code pool<i>.out}; then {@code flatten}
 * ({@code flatten.out}) and dense layers {@code fc<j>} with {@code relu<blocks + j>} between
 * them; the graph input is {@value #INPUT} {@code [N, C, H, W]}, the last Gemm writes {@value
 * #OUTPUT}.
 *
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param convs the convolution blocks, in order
 * @param dense the head's dense layers, in order (the last one gives the logits)
 */
public record ConvNet(int channels, int height, int width, List<Conv> convs, List<Dense> dense) {
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";

    /** A convolution: {@code weight [out, in, k, k]}, {@code bias [out]}, row-major. */
    public record Conv(int out, int in, int k, float[] weight, float[] bias) {
        public Conv {
            if (weight.length != out * in * k * k || bias.length != out) {
                throw new IllegalArgumentException("a " + k + "x" + k + " convolution " + in + " -> " + out + " needs " + out * in * k * k
                        + " weights and " + out + " biases, got " + weight.length + " and " + bias.length);
            }
        }
    }

    /** A dense layer: {@code weight [out, in]}, {@code bias [out]}, row-major. */
    public record Dense(int out, int in, float[] weight, float[] bias) {
        public Dense {
            if (weight.length != out * in || bias.length != out) {
                throw new IllegalArgumentException("a dense layer " + in + " -> " + out + " needs " + out * in + " weights and " + out
                        + " biases, got " + weight.length + " and " + bias.length);
            }
        }
    }

    public ConvNet {
        convs = List.copyOf(convs);
        dense = List.copyOf(dense);
        if (dense.isEmpty()) {
            throw new IllegalArgumentException("a ConvNet needs at least one dense layer (the logits)");
        }
        int c = channels;
        int[] hw = {height, width};
        for (Conv conv : convs) {
            if (conv.in() != c) {
                throw new IllegalArgumentException("convolution " + conv.in() + " -> " + conv.out() + " follows " + c + " channels");
            }
            hw = block(hw, conv.k());
            c = conv.out();
        }
        int flat = c * hw[0] * hw[1];
        for (Dense d : dense) {
            if (d.in() != flat) {
                throw new IllegalArgumentException("dense layer " + d.in() + " -> " + d.out() + " follows " + flat + " values");
            }
            flat = d.out();
        }
    }

    /** Height and width after a block (valid k x k convolution, then 2x2 max pooling, floor). */
    static int[] block(int[] hw, int k) {
        int h = (hw[0] - k + 1) / 2;
        int w = (hw[1] - k + 1) / 2;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("a " + k + "x" + k + " convolution and 2x2 pooling do not fit a " + hw[0] + "x" + hw[1] + " input");
        }
        return new int[] {h, w};
    }

    /**
     * A ConvNet at PyTorch's default initialisation (uniform in {@code ±1/sqrt(fan_in)}) drawn
     * from {@code new Random(seed)}: blocks with {@code convChannels} output channels of
     * {@code k x k} kernels, then dense layers of widths {@code denseWidths} (the last: classes).
     */
    public static ConvNet init(long seed, int channels, int height, int width, int k, int[] convChannels, int[] denseWidths) {
        Random random = new Random(seed);
        List<Conv> convs = new ArrayList<>();
        int c = channels;
        int[] hw = {height, width};
        for (int out : convChannels) {
            float bound = (float) (1 / Math.sqrt(c * k * k));
            convs.add(new Conv(out, c, k, OnnxModelBuilder.uniform(random, out * c * k * k, bound), OnnxModelBuilder.uniform(random, out, bound)));
            hw = block(hw, k);
            c = out;
        }
        List<Dense> dense = new ArrayList<>();
        int in = c * hw[0] * hw[1];
        for (int out : denseWidths) {
            float bound = (float) (1 / Math.sqrt(in));
            dense.add(new Dense(out, in, OnnxModelBuilder.uniform(random, out * in, bound), OnnxModelBuilder.uniform(random, out, bound)));
            in = out;
        }
        return new ConvNet(channels, height, width, convs, dense);
    }

    /** Values entering the head: channels x height x width after the last block. */
    public int flatWidth() {
        return dense.get(0).in();
    }

    /** E.g. {@code cnn 1x28x28 conv8k3-pool conv16k3-pool fc64 fc10}. */
    public String describe() {
        StringBuilder s = new StringBuilder("cnn " + channels + "x" + height + "x" + width);
        for (Conv c : convs) {
            s.append(" conv").append(c.out()).append("k").append(c.k()).append("-pool");
        }
        for (Dense d : dense) {
            s.append(" fc").append(d.out());
        }
        return s.toString();
    }

    /** The ONNX model (opset {@value OnnxModelBuilder#OPSET}). */
    public ModelProto model() {
        OnnxModelBuilder b = new OnnxModelBuilder("convnet").input(INPUT, -1, channels, height, width);
        String x = INPUT;
        int i = 0;
        for (Conv c : convs) {
            i++;
            String conv = "conv" + i;
            b.initializer(conv + ".weight", c.weight(), c.out(), c.in(), c.k(), c.k()).initializer(conv + ".bias", c.bias(), c.out());
            b.node(conv, "Conv", List.of(x, conv + ".weight", conv + ".bias"), List.of(conv + ".out"),
                    Map.of("kernel_shape", new long[] {c.k(), c.k()}, "strides", new long[] {1, 1}, "pads", new long[] {0, 0, 0, 0}));
            b.relu("relu" + i, conv + ".out", "relu" + i + ".out");
            b.node("pool" + i, "MaxPool", List.of("relu" + i + ".out"), List.of("pool" + i + ".out"),
                    Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}));
            x = "pool" + i + ".out";
        }
        b.node("flatten", "Flatten", List.of(x), List.of("flatten.out"), Map.of("axis", 1L));
        x = "flatten.out";
        for (int j = 0; j < dense.size(); j++) {
            Dense d = dense.get(j);
            String fc = "fc" + (j + 1);
            b.initializer(fc + ".weight", d.weight(), d.out(), d.in()).initializer(fc + ".bias", d.bias(), d.out());
            boolean last = j == dense.size() - 1;
            String pre = last ? OUTPUT : fc + ".out";
            b.gemm(fc, x, fc + ".weight", fc + ".bias", pre, true);
            if (!last) {
                x = "relu" + (convs.size() + j + 1) + ".out";
                b.relu("relu" + (convs.size() + j + 1), pre, x);
            }
        }
        b.output(OUTPUT, -1, dense.get(dense.size() - 1).out());
        return b.build();
    }

    @Override
    public String toString() {
        return describe() + " " + Arrays.toString(new int[] {convs.size(), dense.size()});
    }
}
