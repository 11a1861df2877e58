package org.polytopelens.onnx.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;
import org.polytopelens.onnx.proto.Onnx.OperatorSetIdProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.TensorShapeProto;
import org.polytopelens.onnx.proto.Onnx.TypeProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * Writes small ONNX models from Java (opset {@value #OPSET}, IR version {@value #IR_VERSION}),
 * for tests, samples and the integration test; no Python needed.
 *
 * <p>Shapes: a negative dimension becomes the symbolic dimension {@value #BATCH} (the dynamic
 * batch axis), e.g. {@code input("x", -1, 4)} declares {@code x: float[N, 4]}. All tensors are
 * float32. Nodes must be added in topological order (ONNX requires it).
 *
 * <pre>{@code
 * new OnnxModelBuilder("tiny")
 *     .input("x", -1, 2)
 *     .initializer("W", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)
 *     .initializer("b", new float[] {0, 0, 0}, 3)
 *     .gemm("fc1", "x", "W", "b", "h", true)
 *     .relu("relu1", "h", "y")
 *     .output("y", -1, 3)
 *     .save(path);
 * }</pre>
 *
 * <p>Not thread-safe; one builder per model.
 */
public final class OnnxModelBuilder {
    /** The default-domain opset the models declare. */
    public static final int OPSET = 17;
    /** ONNX IR version matching opset 17 (ONNX 1.12). */
    public static final int IR_VERSION = 8;
    /** Name of the symbolic batch dimension. */
    public static final String BATCH = "N";

    private final GraphProto.Builder graph = GraphProto.newBuilder();

    /** A builder for a graph called {@code graphName}. */
    public OnnxModelBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** Declares a float32 graph input; negative dimensions are the dynamic batch axis. */
    public OnnxModelBuilder input(String name, long... shape) {
        graph.addInput(floatValueInfo(name, shape));
        return this;
    }

    /** Declares a float32 graph output; negative dimensions are the dynamic batch axis. */
    public OnnxModelBuilder output(String name, long... shape) {
        graph.addOutput(floatValueInfo(name, shape));
        return this;
    }

    /** Records the shape of an intermediate tensor in the graph's {@code value_info}. */
    public OnnxModelBuilder valueInfo(String name, long... shape) {
        graph.addValueInfo(floatValueInfo(name, shape));
        return this;
    }

    /** A constant float32 tensor (weights), {@code data} in C order. */
    public OnnxModelBuilder initializer(String name, float[] data, long... shape) {
        graph.addInitializer(tensor(name, data, shape));
        return this;
    }

    /** {@code out = a * op(b) + c} with {@code op(b) = b^T} if {@code transB}; {@code c} may be null. */
    public OnnxModelBuilder gemm(String name, String a, String b, String c, String out, boolean transB) {
        List<String> in = c == null ? List.of(a, b) : List.of(a, b, c);
        return node(name, "Gemm", in, List.of(out), transB ? Map.of("transB", 1L) : Map.of());
    }

    /** {@code out = a @ b} (numpy matmul semantics). */
    public OnnxModelBuilder matMul(String name, String a, String b, String out) {
        return node(name, "MatMul", List.of(a, b), List.of(out), Map.of());
    }

    /** {@code out = a + b} (numpy broadcasting). */
    public OnnxModelBuilder add(String name, String a, String b, String out) {
        return node(name, "Add", List.of(a, b), List.of(out), Map.of());
    }

    /** {@code out = max(x, 0)}. */
    public OnnxModelBuilder relu(String name, String x, String out) {
        return node(name, "Relu", List.of(x), List.of(out), Map.of());
    }

    /** An unnamed node of any default-domain op (backends then generate a name for it). */
    public OnnxModelBuilder node(String op, List<String> inputs, List<String> outputs, Map<String, ?> attrs) {
        return node("", op, inputs, outputs, attrs);
    }

    /**
     * A node of any default-domain op. Attribute values: {@code Float}/{@code Double} (FLOAT),
     * {@code Integer}/{@code Long} (INT), {@code String} (STRING), {@code float[]} (FLOATS),
     * {@code long[]}/{@code int[]} (INTS), {@code String[]} (STRINGS), {@link TensorProto} (TENSOR).
     */
    public OnnxModelBuilder node(String name, String op, List<String> inputs, List<String> outputs, Map<String, ?> attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addAllOutput(outputs);
        if (!name.isEmpty()) {
            n.setName(name);
        }
        attrs.entrySet().stream()
                .sorted(Map.Entry.comparingByKey()) // deterministic bytes for the same model
                .forEach(e -> n.addAttribute(attribute(e.getKey(), e.getValue())));
        graph.addNode(n);
        return this;
    }

    /** The model: the graph with opset {@value #OPSET} and producer "polytopelens". */
    public ModelProto build() {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("polytopelens")
                .setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.build())
                .build();
    }

    /** The serialised model. */
    public byte[] toBytes() {
        return build().toByteArray();
    }

    /** Writes the model to {@code file} (parent directories must exist); returns {@code file}. */
    public Path save(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    /** A float32 value info; negative dimensions become the symbolic batch dimension. */
    public static ValueInfoProto floatValueInfo(String name, long... shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(d < 0
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** A float32 tensor, {@code data} in C order. */
    public static TensorProto tensor(String name, float[] data, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs "
                    + n + " values, got " + data.length);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : shape) {
            t.addDims(d);
        }
        for (float v : data) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (value instanceof Float || value instanceof Double) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) value).floatValue());
        } else if (value instanceof Integer || value instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
        } else if (value instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8(s));
        } else if (value instanceof float[] fs) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float f : fs) {
                a.addFloats(f);
            }
        } else if (value instanceof long[] ls) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else if (value instanceof int[] is) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (int i : is) {
                a.addInts(i);
            }
        } else if (value instanceof String[] ss) {
            a.setType(AttributeProto.AttributeType.STRINGS);
            for (String s : ss) {
                a.addStrings(com.google.protobuf.ByteString.copyFromUtf8(s));
            }
        } else if (value instanceof TensorProto t) {
            a.setType(AttributeProto.AttributeType.TENSOR).setT(t);
        } else {
            throw new IllegalArgumentException("attribute '" + name + "': unsupported value type "
                    + (value == null ? "null" : value.getClass().getName())
                    + "; valid: Float, Double, Integer, Long, String, float[], long[], int[], String[], TensorProto");
        }
        return a.build();
    }

    /**
     * A ReLU MLP {@code Gemm -> Relu -> ... -> Gemm} with layer widths {@code widths} (input width
     * first, output width last) and weights drawn from {@code new Random(seed)}, uniform in
     * {@code [-1/sqrt(fan_in), 1/sqrt(fan_in))} like PyTorch's default initialisation.
     *
     * <p>Names, for layer {@code i = 1 .. L}: node {@code fc<i>} (Gemm, transB) reads
     * {@code fc<i>.weight} {@code [out, in]} and {@code fc<i>.bias} and writes {@code fc<i>.out}
     * (the pre-activation); node {@code relu<i>} writes {@code relu<i>.out}. The graph input is
     * {@value Mlp#INPUT} {@code [N, widths[0]]}; the last Gemm writes {@value Mlp#OUTPUT}. No
     * {@code value_info} is written (so backends must infer intermediate shapes).
     */
    public static Mlp mlp(long seed, int... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width, got "
                    + Arrays.toString(widths));
        }
        Random random = new Random(seed);
        int layers = widths.length - 1;
        float[][] weights = new float[layers][];
        float[][] biases = new float[layers][];
        for (int l = 0; l < layers; l++) {
            float bound = (float) (1 / Math.sqrt(widths[l]));
            weights[l] = uniform(random, widths[l + 1] * widths[l], bound);
            biases[l] = uniform(random, widths[l + 1], bound);
        }
        return mlp(widths, weights, biases);
    }

    /**
     * The MLP of {@link #mlp(long, int...)} (same names and layout) with the given weights, e.g.
     * trained ones: {@code weights[l]} is {@code [widths[l+1], widths[l]]} row-major.
     */
    public static Mlp mlp(int[] widths, float[][] weights, float[][] biases) {
        int layers = widths.length - 1;
        if (widths.length < 2 || weights.length != layers || biases.length != layers) {
            throw new IllegalArgumentException("an MLP of widths " + Arrays.toString(widths) + " needs " + Math.max(layers, 1)
                    + " weight matrices and bias vectors, got " + weights.length + " and " + biases.length);
        }
        OnnxModelBuilder b = new OnnxModelBuilder("mlp").input(Mlp.INPUT, -1, widths[0]);
        String x = Mlp.INPUT;
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            if (weights[l].length != out * in || biases[l].length != out) {
                throw new IllegalArgumentException("layer " + (l + 1) + " of an MLP " + Arrays.toString(widths) + " needs " + out * in
                        + " weights and " + out + " biases, got " + weights[l].length + " and " + biases[l].length);
            }
            String fc = "fc" + (l + 1);
            b.initializer(fc + ".weight", weights[l], out, in).initializer(fc + ".bias", biases[l], out);
            boolean last = l == layers - 1;
            String pre = last ? Mlp.OUTPUT : fc + ".out";
            b.gemm(fc, x, fc + ".weight", fc + ".bias", pre, true);
            if (!last) {
                x = "relu" + (l + 1) + ".out";
                b.relu("relu" + (l + 1), pre, x);
            }
        }
        b.output(Mlp.OUTPUT, -1, widths[layers]);
        return new Mlp(b.build(), widths.clone(), weights, biases);
    }

    static float[] uniform(Random random, int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return v;
    }

    /**
     * A model made by {@link #mlp}, with its weights so tests can compute outputs and codes by hand.
     *
     * @param model the ONNX model
     * @param widths layer widths, input first
     * @param weights per layer {@code [out * in]}, row-major {@code [out, in]}
     * @param biases per layer {@code [out]}
     */
    public record Mlp(ModelProto model, int[] widths, float[][] weights, float[][] biases) {
        public static final String INPUT = "input";
        public static final String OUTPUT = "output";

        /** Number of Relu layers (hidden layers). */
        public int hiddenLayers() {
            return widths.length - 2;
        }

        /** Name of the Gemm node of layer {@code i} (1-based), e.g. {@code fc1}. */
        public static String gemm(int i) {
            return "fc" + i;
        }

        /** Name of the Relu node of hidden layer {@code i} (1-based), e.g. {@code relu1}. */
        public static String relu(int i) {
            return "relu" + i;
        }

        /** The pre-activation tensor of hidden layer {@code i} (1-based): {@code fc<i>.out}. */
        public static String preactivation(int i) {
            return "fc" + i + ".out";
        }

        /** The activation tensor of hidden layer {@code i} (1-based): {@code relu<i>.out}. */
        public static String activation(int i) {
            return "relu" + i + ".out";
        }

        /**
         * A reference forward pass of one point in plain Java: element {@code l} is the Gemm
         * output of layer {@code l + 1} (pre-activations, then the model output last).
         */
        public List<float[]> forward(float[] x) {
            if (x.length != widths[0]) {
                throw new IllegalArgumentException("point has " + x.length + " values, the MLP takes " + widths[0]);
            }
            List<float[]> pre = new ArrayList<>();
            float[] a = x;
            for (int l = 0; l < weights.length; l++) {
                int in = widths[l];
                int out = widths[l + 1];
                float[] z = new float[out];
                for (int o = 0; o < out; o++) {
                    double s = biases[l][o];
                    for (int i = 0; i < in; i++) {
                        s += (double) weights[l][o * in + i] * a[i];
                    }
                    z[o] = (float) s;
                }
                pre.add(z);
                a = new float[out];
                for (int o = 0; o < out; o++) {
                    a[o] = Math.max(z[o], 0f);
                }
            }
            return pre;
        }

        public byte[] toBytes() {
            return model.toByteArray();
        }

        public Path save(Path file) throws IOException {
            Files.write(file, toBytes());
            return file;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Mlp m && model.equals(m.model);
        }

        @Override
        public int hashCode() {
            return model.hashCode();
        }

        @Override
        public String toString() {
            return "Mlp" + Arrays.toString(widths);
        }
    }
}
