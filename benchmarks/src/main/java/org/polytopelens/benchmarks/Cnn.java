package org.polytopelens.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * The small CNN of issue 3's performance target, with seeded random weights (uniform in
 * +-1/sqrt(fan_in), PyTorch's default):
 * {@code [N,1,28,28] -> Conv 8 3x3 -> Relu -> MaxPool 2 -> Conv 16 3x3 -> Relu -> MaxPool 2 ->
 * Flatten -> Gemm 64 -> Relu -> Gemm 10}. Convolutions are unpadded ("valid"), which gives the
 * issue's 7,408 ReLU bits: 8x26x26 + 16x11x11 + 64.
 */
final class Cnn {
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    /** The ReLU sites' pre-activations, in graph order, and their neurons per point. */
    static final List<String> PREACTIVATIONS = List.of("conv1.out", "conv2.out", "fc1.out");
    static final int[] NEURONS = {8 * 26 * 26, 16 * 11 * 11, 64};
    static final int BITS = NEURONS[0] + NEURONS[1] + NEURONS[2];
    /** The ReLU outputs: {@code relu(z) > 0} iff {@code z > 0}. */
    static final List<String> ACTIVATIONS = List.of("relu1.out", "relu2.out", "relu3.out");

    private Cnn() {}

    /** The CNN as the workbench sees it. */
    static Path write(Path file, long seed) throws IOException {
        return Files.write(file, builder(seed).toBytes());
    }

    /** Prototype: the CNN with its three ReLU outputs as graph outputs as well (for pinned float fetches). */
    static Path writeWithReluOutputs(Path file, long seed) throws IOException {
        OnnxModelBuilder b = builder(seed);
        b.output("relu1.out", -1, 8, 26, 26).output("relu2.out", -1, 16, 11, 11).output("relu3.out", -1, 64);
        return Files.write(file, b.toBytes());
    }

    /** Prototype: the CNN with {@code op(reluN.out)} outputs named {@code reluN.out.<op>} (op: a unary op to bool, e.g. Cast to bool). */
    static Path writeWithBoolOutputs(Path file, long seed, boolean cast) throws IOException {
        OnnxModelBuilder b = builder(seed);
        b.initializer("zero", new float[] {0f});
        long[][] shapes = {{-1, 8, 26, 26}, {-1, 16, 11, 11}, {-1, 64}};
        for (int i = 0; i < 3; i++) {
            String a = ACTIVATIONS.get(i), out = a + (cast ? ".cast" : ".greater");
            if (cast) {
                b.node("cast" + i, "Cast", List.of(a), List.of(out), Map.of("to", 9L));
            } else {
                b.node("greater" + i, "Greater", List.of(a, "zero"), List.of(out), Map.of());
            }
        }
        ModelProto.Builder m = b.build().toBuilder();
        for (int i = 0; i < 3; i++) {
            ValueInfoProto f = OnnxModelBuilder.floatValueInfo(ACTIVATIONS.get(i) + (cast ? ".cast" : ".greater"), shapes[i]);
            ValueInfoProto.Builder v = f.toBuilder();
            v.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.BOOL_VALUE);
            m.getGraphBuilder().addOutput(v.build());
        }
        return Files.write(file, m.build().toByteArray());
    }

    /** Name of the packed-code output of a pre-activation in {@link #writeWithPackedCodes}. */
    static String packed(String preactivation) {
        return preactivation + ".packed";
    }

    /**
     * Not the workbench: the same CNN (same weights) with extra outputs, one per ReLU site, that
     * compute the site's code in the graph, packed 8 neurons to a byte (neuron {@code 8i + j} is bit
     * {@code j} of byte {@code i}, i.e. the {@link org.polytopelens.api.data.SplineCodes} layout
     * read little-endian): {@code Greater(relu(z), 0) -> Cast float -> Reshape [N, k/8, 8] -> MatMul
     * [1, 2, ..., 128] -> Cast uint8}. The prototype of the fix suggested for the code-extraction
     * target: ONNX Runtime thresholds and packs with its vectorised kernels and hands Java 1 bit,
     * not 32, per neuron.
     */
    static Path writeWithPackedCodes(Path file, long seed) throws IOException {
        OnnxModelBuilder b = builder(seed);
        b.initializer("zero", new float[] {0f});
        b.initializer("bit.weights", new float[] {1, 2, 4, 8, 16, 32, 64, 128}, 8, 1);
        List<ValueInfoProto> outputs = new ArrayList<>();
        for (int i = 0; i < PREACTIVATIONS.size(); i++) {
            String z = PREACTIVATIONS.get(i);
            // Thresholding the Relu's output (same bits) leaves the Conv -> Relu pair fusable.
            String a = ACTIVATIONS.get(i);
            long bytes = NEURONS[i] / 8;
            TensorProto shape = TensorProto.newBuilder().setName(z + ".shape8").setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(3).addInt64Data(-1).addInt64Data(bytes).addInt64Data(8).build();
            b.node("Constant", List.of(), List.of(z + ".shape8"), Map.of("value", shape))
                    .node("Greater", List.of(a, "zero"), List.of(z + ".on"), Map.of())
                    .node("Cast", List.of(z + ".on"), List.of(z + ".onf"), Map.of("to", (long) TensorProto.DataType.FLOAT_VALUE))
                    .node("Reshape", List.of(z + ".onf", z + ".shape8"), List.of(z + ".groups"), Map.of())
                    .node("MatMul", List.of(z + ".groups", "bit.weights"), List.of(z + ".bytes"), Map.of())
                    .node("Cast", List.of(z + ".bytes"), List.of(packed(z)), Map.of("to", (long) TensorProto.DataType.UINT8_VALUE));
            ValueInfoProto.Builder out = OnnxModelBuilder.floatValueInfo(packed(z), -1, bytes, 1).toBuilder();
            out.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.UINT8_VALUE);
            outputs.add(out.build());
        }
        ModelProto m = b.build();
        m = m.toBuilder().setGraph(m.getGraph().toBuilder().addAllOutput(outputs)).build();
        return Files.write(file, m.toByteArray());
    }

    private static OnnxModelBuilder builder(long seed) {
        Random r = new Random(seed);
        Map<String, Object> conv = Map.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {0, 0, 0, 0},
                "strides", new long[] {1, 1});
        Map<String, Object> pool = Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2});
        return new OnnxModelBuilder("cnn")
                .input(INPUT, -1, 1, 28, 28)
                .initializer("conv1.weight", uniform(r, 8 * 1 * 9, 9), 8, 1, 3, 3)
                .initializer("conv1.bias", uniform(r, 8, 9), 8)
                .initializer("conv2.weight", uniform(r, 16 * 8 * 9, 72), 16, 8, 3, 3)
                .initializer("conv2.bias", uniform(r, 16, 72), 16)
                .initializer("fc1.weight", uniform(r, 64 * 400, 400), 64, 400)
                .initializer("fc1.bias", uniform(r, 64, 400), 64)
                .initializer("fc2.weight", uniform(r, 10 * 64, 64), 10, 64)
                .initializer("fc2.bias", uniform(r, 10, 64), 10)
                .node("conv1", "Conv", List.of(INPUT, "conv1.weight", "conv1.bias"), List.of("conv1.out"), conv)
                .relu("relu1", "conv1.out", "relu1.out")
                .node("pool1", "MaxPool", List.of("relu1.out"), List.of("pool1.out"), pool)
                .node("conv2", "Conv", List.of("pool1.out", "conv2.weight", "conv2.bias"), List.of("conv2.out"), conv)
                .relu("relu2", "conv2.out", "relu2.out")
                .node("pool2", "MaxPool", List.of("relu2.out"), List.of("pool2.out"), pool)
                .node("flatten", "Flatten", List.of("pool2.out"), List.of("flat"), Map.of("axis", 1L))
                .gemm("fc1", "flat", "fc1.weight", "fc1.bias", "fc1.out", true)
                .relu("relu3", "fc1.out", "relu3.out")
                .gemm("fc2", "relu3.out", "fc2.weight", "fc2.bias", OUTPUT, true)
                .output(OUTPUT, -1, 10);
    }

    private static float[] uniform(Random r, int n, int fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() * 2 - 1) * bound;
        }
        return v;
    }
}
