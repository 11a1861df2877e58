package org.polytopelens.backend.nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import org.polytopelens.onnx.graph.NodeOrder;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;
import org.polytopelens.onnx.proto.Onnx.StringStringEntryProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.TensorShapeProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * The piecewise-linear part of an ONNX graph, imported without ND4J: nodes in topological order
 * with unique names, constants as double arrays, and statically inferred shapes. Naming and
 * ordering follow the ONNX Runtime backend so that both report the same sites and tensors: an
 * unnamed node is {@code <op>_<position in the file>}, ties in the topological sort keep file
 * order.
 */
final class Graph {
    /** Ops this backend evaluates; everything else is rejected at open. */
    static final Set<String> SUPPORTED = Collections.unmodifiableSet(
            new TreeSet<>(List.of("Add", "AveragePool", "BatchNormalization", "Clip", "Constant", "Conv", "Flatten", "Gemm", "Identity",
                    "LeakyRelu", "MatMul", "MaxPool", "PRelu", "Relu", "Reshape", "Transpose")));

    /** One node: unique name, op, input and output tensor names, attributes by name. */
    record Node(String name, String op, List<String> inputs, List<String> outputs, Map<String, AttributeProto> attributes) {
        String input(int i) {
            return i < inputs.size() ? inputs.get(i) : "";
        }

        long intAttr(String key, long fallback) {
            AttributeProto a = attributes.get(key);
            return a == null ? fallback : a.getI();
        }

        double floatAttr(String key, double fallback) {
            AttributeProto a = attributes.get(key);
            return a == null ? fallback : a.getF();
        }
    }

    /** A constant tensor (initializer or Constant node) in double precision, C order. */
    record Constant(long[] shape, double[] values) {}

    final String source;
    final List<Node> nodes;
    final Map<String, Constant> constants;
    /** Graph inputs that are not initializers, in declaration order. */
    final List<String> inputs;
    final List<String> outputs;
    /** Tensor name -> index of its producing node. */
    final Map<String, Integer> producer;
    /** Feedable/fetchable tensors: real inputs, then node outputs in topological order. */
    final List<String> tensors;
    /** Element type names of declared tensors ("float", ...). */
    final Map<String, String> dtypes;
    /** Per tensor: declared shape if it leaves only the batch axis open, else the inferred one; -1 = unknown. */
    final Map<String, long[]> shapes;
    /** Declared shapes (for inputs/outputs info, as the file states them). */
    final Map<String, long[]> declaredShapes;

    private Graph(String source, GraphProto g, Path dir) throws IOException {
        this.source = source;
        Map<String, Constant> consts = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            consts.put(t.getName(), constant(t, dir, source));
        }
        inputs = g.getInputList().stream().map(ValueInfoProto::getName).filter(n -> !consts.containsKey(n)).toList();
        outputs = g.getOutputList().stream().map(ValueInfoProto::getName).toList();

        dtypes = new HashMap<>();
        declaredShapes = new HashMap<>();
        List<ValueInfoProto> declared = new ArrayList<>(g.getOutputList());
        declared.addAll(g.getValueInfoList());
        g.getInputList().stream().filter(v -> !consts.containsKey(v.getName())).forEach(declared::add);
        for (ValueInfoProto v : declared) {
            if (v.getType().hasTensorType()) {
                dtypes.put(v.getName(), dtypeName(v.getType().getTensorType().getElemType()));
                if (v.getType().getTensorType().hasShape()) {
                    declaredShapes.put(v.getName(), shapeOf(v.getType().getTensorType().getShape()));
                }
            }
        }

        List<Integer> order = NodeOrder.topological(g);
        List<String> names = NodeOrder.uniqueNames(g, order);
        List<Node> list = new ArrayList<>(order.size());
        List<String> unsupported = new ArrayList<>();
        for (int k = 0; k < order.size(); k++) {
            NodeProto n = g.getNode(order.get(k));
            Map<String, AttributeProto> attrs = new LinkedHashMap<>();
            n.getAttributeList().forEach(a -> attrs.put(a.getName(), a));
            Node node = new Node(names.get(k), n.getOpType(), List.copyOf(n.getInputList()), List.copyOf(n.getOutputList()), attrs);
            boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!defaultDomain || !SUPPORTED.contains(node.op())) {
                unsupported.add((defaultDomain ? "" : n.getDomain() + ":") + node.op() + " (node '" + node.name() + "')");
            }
            list.add(node);
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("the nd4j backend cannot import " + source + ": unsupported op(s) "
                    + String.join(", ", unsupported) + "; supported ops: " + String.join(", ", SUPPORTED)
                    + " (use the onnxruntime backend for other models)");
        }
        nodes = List.copyOf(list);
        producer = new HashMap<>();
        LinkedHashSet<String> all = new LinkedHashSet<>(inputs);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op().equals("Constant")) {
                consts.put(n.outputs().get(0), constantNode(n, source));
            }
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producer.put(out, i);
                    all.add(out);
                }
            }
        }
        for (Node n : nodes) {
            if (n.op().equals("BatchNormalization")) {
                foldBatchNorm(n, consts, source);
            }
        }
        constants = Map.copyOf(consts);
        tensors = List.copyOf(all);
        shapes = inferShapes();
    }

    static Graph read(Path file) throws IOException {
        ModelProto proto;
        try (var in = Files.newInputStream(file)) {
            proto = ModelProto.parseFrom(in);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException("not an ONNX model: " + file + " (" + e.getMessage() + ")", e);
        }
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) {
            throw new IOException("not an ONNX model: " + file + " has no graph nodes");
        }
        return new Graph(file.toString(), proto.getGraph(), file.toAbsolutePath().getParent());
    }

    static Graph of(String source, ModelProto proto) throws IOException {
        return new Graph(source, proto.getGraph(), null);
    }

    /** The node writing {@code tensor}, or null for inputs and constants. */
    Node producerOf(String tensor) {
        Integer i = producer.get(tensor);
        return i == null ? null : nodes.get(i);
    }

    /** Position in {@link #nodes} of the node named {@code name}, or -1. */
    int indexOf(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Inferred or declared shape of {@code tensor}; null if unknown. */
    long[] shape(String tensor) {
        return shapes.get(tensor);
    }

    /**
     * Indices of the nodes needed to compute {@code targets} when {@code fed} are given, in
     * topological order. A graph input that is needed but not fed is an error naming it.
     */
    List<Integer> plan(Set<String> fed, Iterable<String> targets) {
        boolean[] needed = new boolean[nodes.size()];
        List<String> todo = new ArrayList<>();
        targets.forEach(todo::add);
        Set<String> seen = new HashSet<>();
        Set<String> missing = new TreeSet<>();
        while (!todo.isEmpty()) {
            String t = todo.remove(todo.size() - 1);
            if (t.isEmpty() || fed.contains(t) || !seen.add(t)) {
                continue;
            }
            Integer p = producer.get(t);
            if (p != null) {
                if (!needed[p]) {
                    needed[p] = true;
                    todo.addAll(nodes.get(p).inputs());
                }
            } else if (!constants.containsKey(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("cannot compute " + targets + " of " + source + " from " + fed
                    + ": it also needs " + missing + "; feed those too, or feed a tensor downstream of them");
        }
        List<Integer> plan = new ArrayList<>();
        for (int i = 0; i < needed.length; i++) {
            if (needed[i]) {
                plan.add(i);
            }
        }
        return plan;
    }

    // --- shapes -----------------------------------------------------------------------------

    private Map<String, long[]> inferShapes() {
        Map<String, long[]> s = new HashMap<>();
        constants.forEach((k, c) -> s.put(k, c.shape()));
        for (String in : inputs) {
            long[] d = declaredShapes.get(in);
            if (d != null) {
                s.put(in, d);
            }
        }
        for (Node n : nodes) {
            long[] out;
            try {
                out = inferShape(n, s);
            } catch (RuntimeException e) {
                out = null; // shapes are advisory: the run reports real mismatches
            }
            long[] declared = declaredShapes.get(n.outputs().get(0));
            if (declared != null && (out == null || Arrays.stream(declared).skip(1).allMatch(d -> d > 0))) {
                out = declared;
            }
            if (out != null) {
                s.put(n.outputs().get(0), out);
            }
        }
        return Map.copyOf(s);
    }

    private long[] inferShape(Node n, Map<String, long[]> s) {
        long[] a = s.get(n.input(0));
        switch (n.op()) {
            case "Relu", "Identity", "LeakyRelu", "PRelu", "Clip", "BatchNormalization" -> {
                return a;
            }
            case "Conv" -> {
                long[] w = s.get(n.input(1));
                if (a == null || w == null || a.length != w.length || a.length < 3 || !known(a, 2)) {
                    return null;
                }
                Window win = Window.of(n, Arrays.copyOfRange(a, 2, a.length), Arrays.copyOfRange(w, 2, w.length));
                return pooled(a[0], w[0], win);
            }
            case "MaxPool", "AveragePool" -> {
                AttributeProto k = n.attributes().get("kernel_shape");
                if (a == null || k == null || a.length < 3 || !known(a, 2)) {
                    return null;
                }
                long[] kernel = k.getIntsList().stream().mapToLong(Long::longValue).toArray();
                return pooled(a[0], a[1], Window.of(n, Arrays.copyOfRange(a, 2, a.length), kernel));
            }
            case "Reshape" -> {
                Constant target = constants.get(n.input(1));
                return a == null || target == null ? null : reshapeTarget(n, target, a);
            }
            case "Transpose" -> {
                if (a == null) {
                    return null;
                }
                int[] perm = permutation(n, a.length);
                long[] out = new long[a.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = a[perm[i]];
                }
                return out;
            }
            case "Constant" -> {
                return s.get(n.outputs().get(0));
            }
            case "Add" -> {
                long[] b = s.get(n.input(1));
                return a == null || b == null ? null : broadcast(a, b);
            }
            case "Gemm" -> {
                long[] b = s.get(n.input(1));
                if (a == null || b == null || a.length != 2 || b.length != 2) {
                    return null;
                }
                long m = n.intAttr("transA", 0) != 0 ? a[1] : a[0];
                long cols = n.intAttr("transB", 0) != 0 ? b[0] : b[1];
                return new long[] {m, cols};
            }
            case "MatMul" -> {
                long[] b = s.get(n.input(1));
                if (a == null || b == null || a.length == 0 || b.length == 0) {
                    return null;
                }
                long[] aa = a.length == 1 ? new long[] {1, a[0]} : a;
                long[] bb = b.length == 1 ? new long[] {b[0], 1} : b;
                long[] batch = broadcast(Arrays.copyOf(aa, aa.length - 2), Arrays.copyOf(bb, bb.length - 2));
                List<Long> out = new ArrayList<>();
                for (long d : batch) {
                    out.add(d);
                }
                if (a.length > 1) {
                    out.add(aa[aa.length - 2]);
                }
                if (b.length > 1) {
                    out.add(bb[bb.length - 1]);
                }
                return out.stream().mapToLong(Long::longValue).toArray();
            }
            case "Flatten" -> {
                if (a == null) {
                    return null;
                }
                int axis = flattenAxis(n, a.length);
                return new long[] {product(a, 0, axis), product(a, axis, a.length)};
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean known(long[] shape, int from) {
        return Arrays.stream(shape).skip(from).allMatch(d -> d > 0);
    }

    private static long[] pooled(long batch, long channels, Window w) {
        long[] out = new long[2 + w.rank()];
        out[0] = batch;
        out[1] = channels;
        for (int i = 0; i < w.rank(); i++) {
            out[2 + i] = w.out()[i];
        }
        return out;
    }

    /**
     * The shape a Reshape node produces from input shape {@code in} (-1 = unknown) with the
     * constant {@code target}: 0 copies the input's dimension (unless allowzero), one -1 takes the
     * rest. With an unknown batch axis copied by 0 or left to -1, the other axes still resolve.
     */
    static long[] reshapeTarget(Node n, Constant target, long[] in) {
        long[] t = new long[target.values().length];
        boolean allowZero = n.intAttr("allowzero", 0) != 0;
        int free = -1;
        for (int i = 0; i < t.length; i++) {
            t[i] = (long) target.values()[i];
            if (t[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new IllegalArgumentException("Reshape node '" + n.name() + "': shape " + Arrays.toString(target.values())
                            + " copies axis " + i + " of an input of rank " + in.length);
                }
                t[i] = in[i];
                if (t[i] < 0) {
                    t[i] = -2; // unknown, copied
                }
            } else if (t[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("Reshape node '" + n.name() + "': shape " + Arrays.toString(target.values())
                            + " has more than one -1");
                }
                free = i;
            } else if (t[i] < 0) {
                throw new IllegalArgumentException("Reshape node '" + n.name() + "': invalid dimension " + t[i] + " in shape "
                        + Arrays.toString(target.values()) + " (valid: >= 0, or one -1)");
            }
        }
        long knownIn = 1;
        int unknownIn = 0;
        for (long d : in) {
            if (d < 0) {
                unknownIn++;
            } else {
                knownIn *= d;
            }
        }
        long knownOut = 1;
        int unknownOut = 0;
        for (int i = 0; i < t.length; i++) {
            if (i == free) {
                continue;
            }
            if (t[i] < 0) {
                unknownOut++;
            } else {
                knownOut *= t[i];
            }
        }
        if (free >= 0) {
            if (unknownIn == unknownOut && knownOut != 0) {
                if (knownIn % knownOut != 0) {
                    throw new IllegalArgumentException("Reshape node '" + n.name() + "': cannot reshape " + Arrays.toString(in) + " to "
                            + Arrays.toString(target.values()));
                }
                t[free] = knownIn / knownOut;
            } else {
                t[free] = -1;
            }
        } else if (unknownIn == 0 && unknownOut == 0 && knownIn != knownOut) {
            throw new IllegalArgumentException("Reshape node '" + n.name() + "': cannot reshape " + Arrays.toString(in) + " ("
                    + knownIn + " values) to " + Arrays.toString(target.values()));
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.max(t[i], -1);
        }
        return t;
    }

    /** A Transpose node's permutation (default: reversed axes), checked. */
    static int[] permutation(Node n, int rank) {
        AttributeProto p = n.attributes().get("perm");
        int[] perm = new int[rank];
        if (p == null) {
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
            return perm;
        }
        boolean[] seen = new boolean[rank];
        if (p.getIntsCount() != rank) {
            throw new IllegalArgumentException("Transpose node '" + n.name() + "': perm " + p.getIntsList() + " does not permute " + rank + " axes");
        }
        for (int i = 0; i < rank; i++) {
            long v = p.getInts(i);
            if (v < 0 || v >= rank || seen[(int) v]) {
                throw new IllegalArgumentException("Transpose node '" + n.name() + "': perm " + p.getIntsList() + " is not a permutation of 0.."
                        + (rank - 1));
            }
            seen[(int) v] = true;
            perm[i] = (int) v;
        }
        return perm;
    }

    /**
     * BatchNormalization in inference mode is {@code x * scale + shift} per channel: its scale
     * and shift, folded from gamma, beta, mean, var and epsilon, are stored as constants named
     * {@link #foldedScale} and {@link #foldedShift} of the node.
     */
    private static void foldBatchNorm(Node n, Map<String, Constant> consts, String source) {
        if (n.intAttr("training_mode", 0) != 0) {
            throw new IllegalArgumentException("BatchNormalization node '" + n.name() + "' of " + source
                    + " is in training mode; the nd4j backend folds inference-mode batch norms only");
        }
        for (int i = 1; i < n.outputs().size(); i++) {
            if (!n.outputs().get(i).isEmpty()) {
                throw new IllegalArgumentException("BatchNormalization node '" + n.name() + "' of " + source + ": output '"
                        + n.outputs().get(i) + "' (running statistics) is not supported; only Y is");
            }
        }
        Constant[] p = new Constant[4];
        String[] what = {"scale", "B", "input_mean", "input_var"};
        for (int i = 0; i < 4; i++) {
            p[i] = consts.get(n.input(i + 1));
            if (p[i] == null) {
                throw new IllegalArgumentException("BatchNormalization node '" + n.name() + "' of " + source + ": its " + what[i] + " '"
                        + n.input(i + 1) + "' must be a constant to fold it");
            }
            if (p[i].values().length != p[0].values().length) {
                throw new IllegalArgumentException("BatchNormalization node '" + n.name() + "' of " + source + ": scale, B, mean and var"
                        + " must have one value per channel; got " + p[0].values().length + " and " + p[i].values().length + " (" + what[i] + ")");
            }
        }
        double eps = n.floatAttr("epsilon", 1e-5);
        int c = p[0].values().length;
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int i = 0; i < c; i++) {
            scale[i] = p[0].values()[i] / Math.sqrt(p[3].values()[i] + eps);
            shift[i] = p[1].values()[i] - p[2].values()[i] * scale[i];
        }
        consts.put(foldedScale(n), new Constant(new long[] {c}, scale));
        consts.put(foldedShift(n), new Constant(new long[] {c}, shift));
    }

    /** Name of a folded BatchNormalization's per-channel scale (not a valid tensor name elsewhere: it has a NUL). */
    static String foldedScale(Node n) {
        return n.name() + "\0scale";
    }

    static String foldedShift(Node n) {
        return n.name() + "\0shift";
    }

    static int flattenAxis(Node n, int rank) {
        long axis = n.intAttr("axis", 1);
        if (axis < 0) {
            axis += rank;
        }
        if (axis < 0 || axis > rank) {
            throw new IllegalArgumentException("Flatten node '" + n.name() + "': axis " + n.intAttr("axis", 1)
                    + " is outside [-" + rank + ", " + rank + "] for a tensor of rank " + rank);
        }
        return (int) axis;
    }

    /** Product of {@code shape[from..to)}, -1 if any of them is unknown. */
    static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (shape[i] < 0) {
                return -1;
            }
            p *= shape[i];
        }
        return p;
    }

    /** Numpy broadcasting of two shapes (-1 = unknown); an incompatible pair is an error. */
    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x == y || y == 1) {
                out[i] = x;
            } else if (x == 1) {
                out[i] = y;
            } else if (x < 0 || y < 0) {
                out[i] = Math.max(x, y);
            } else {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
        }
        return out;
    }

    private static long[] shapeOf(TensorShapeProto s) {
        long[] shape = new long[s.getDimCount()];
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension d = s.getDim(i);
            shape[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1;
        }
        return shape;
    }

    static String dtypeName(int elemType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(elemType);
        return t == null || t == TensorProto.DataType.UNDEFINED ? "undefined" : t.name().toLowerCase(Locale.ROOT);
    }




    // --- constants ---------------------------------------------------------------------------

    private static Constant constantNode(Node n, String source) throws IOException {
        AttributeProto a = n.attributes().get("value");
        if (a != null && a.hasT()) {
            return constant(a.getT(), null, source);
        }
        AttributeProto f = n.attributes().get("value_float");
        if (f != null) {
            return new Constant(new long[0], new double[] {f.getF()});
        }
        AttributeProto fs = n.attributes().get("value_floats");
        if (fs != null) {
            return new Constant(new long[] {fs.getFloatsCount()}, fs.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray());
        }
        throw new IllegalArgumentException("Constant node '" + n.name() + "' of " + source
                + ": only the attributes value, value_float and value_floats are supported, got " + n.attributes().keySet());
    }

    private static Constant constant(TensorProto t, Path dir, String source) throws IOException {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n = Math.toIntExact(product(shape, 0, shape.length));
        ByteBuffer raw = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
                ? external(t, dir, source)
                : t.getRawData().asReadOnlyByteBuffer();
        raw = raw.order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[n];
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                if (t.getFloatDataCount() > 0) {
                    check(t, t.getFloatDataCount(), n, source);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getFloatData(i);
                    }
                } else {
                    check(t, raw.remaining() / 4, n, source);
                    for (int i = 0; i < n; i++) {
                        v[i] = raw.getFloat(i * 4);
                    }
                }
            }
            case TensorProto.DataType.DOUBLE_VALUE -> {
                if (t.getDoubleDataCount() > 0) {
                    check(t, t.getDoubleDataCount(), n, source);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getDoubleData(i);
                    }
                } else {
                    check(t, raw.remaining() / 8, n, source);
                    for (int i = 0; i < n; i++) {
                        v[i] = raw.getDouble(i * 8);
                    }
                }
            }
            case TensorProto.DataType.INT64_VALUE -> {
                if (t.getInt64DataCount() > 0) {
                    check(t, t.getInt64DataCount(), n, source);
                    for (int i = 0; i < n; i++) {
                        v[i] = t.getInt64Data(i);
                    }
                } else {
                    check(t, raw.remaining() / 8, n, source);
                    for (int i = 0; i < n; i++) {
                        v[i] = raw.getLong(i * 8);
                    }
                }
            }
            default -> throw new IllegalArgumentException("the nd4j backend cannot read tensor '" + t.getName() + "' of "
                    + source + ": element type " + dtypeName(t.getDataType()) + "; supported: float, double, int64");
        }
        return new Constant(shape, v);
    }

    private static void check(TensorProto t, int have, int need, String source) {
        if (have != need) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' of " + source + " has " + have
                    + " values, its shape " + t.getDimsList() + " needs " + need);
        }
    }

    /** The bytes of an initializer stored as external data beside the model. */
    private static ByteBuffer external(TensorProto t, Path dir, String source) throws IOException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> { }
            }
        }
        if (location == null || dir == null) {
            throw new IOException(source + ": initializer '" + t.getName() + "' has external data that cannot be located");
        }
        Path data = dir.resolve(location).normalize();
        if (!data.startsWith(dir)) {
            throw new IOException(source + ": external data of '" + t.getName() + "' points outside the model's folder: " + location);
        }
        try (SeekableByteChannel ch = Files.newByteChannel(data)) {
            long n = length >= 0 ? length : ch.size() - offset;
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read fully
            }
            if (buf.hasRemaining()) {
                throw new IOException(source + ": external data file " + data + " is shorter than declared for '" + t.getName() + "'");
            }
            return buf.flip();
        }
    }
}
