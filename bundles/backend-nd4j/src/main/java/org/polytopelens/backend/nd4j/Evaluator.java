package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.polytopelens.backend.nd4j.Graph.Node;

/**
 * Evaluates a {@link Graph} with ND4J. Two modes:
 *
 * <ul>
 *   <li>{@link #run}: plain forward pass of a batch (float32 for {@code Model.run}).
 *   <li>{@link #linearised}: the network with every site's pieces fixed (by a {@link GateRule};
 *       see {@link Gate}), evaluated at one point together with its linear part applied to
 *       {@code k} directions ("tangents", a batch of {@code k} rows in the point's shape): the
 *       affine map of the polytope, exactly, in double precision.
 * </ul>
 *
 * Must be called with the thread context class loader set to ND4J's ({@link Nd4jContext}).
 * Thread-safe: constants are shared read-only, every call has its own arrays.
 */
final class Evaluator {
    /**
     * Decides the pieces of one site from its input {@code z} (one point, of shape {@code shape})
     * and, when the pass has one tangent, its tangent {@code dz} (else null).
     */
    @FunctionalInterface
    interface GateRule {
        int[] pieces(Gate gate, long[] shape, double[] z, double[] dz);
    }

    /** Result of a linearised pass: values and tangents by tensor, pieces by site (node) name. */
    record Pass(Map<String, INDArray> values, Map<String, INDArray> tangents, Map<String, int[]> gates) {}

    /** An AveragePool's window table and divisors for one input shape. */
    private record Average(Window window, int[] table, double[] divisors) {}

    private final Graph graph;
    private final Map<String, Gate> gates = new LinkedHashMap<>();
    private final Map<DataType, Map<String, INDArray>> constants = new ConcurrentHashMap<>();
    private final Map<List<Object>, Average> averages = new ConcurrentHashMap<>();

    Evaluator(Graph graph) {
        this.graph = graph;
        for (Node n : graph.nodes) {
            if (Gate.OPS.contains(n.op())) {
                gates.put(n.name(), Gate.of(n, graph));
            }
        }
    }

    /** The site (gate) of node {@code name}, or null if that node is not a site. */
    Gate gate(String name) {
        return gates.get(name);
    }

    /** The constants as ND4J arrays of type {@code type}, created once per type. */
    private Map<String, INDArray> constants(DataType type) {
        return constants.computeIfAbsent(type, t -> {
            Map<String, INDArray> m = new HashMap<>();
            graph.constants.forEach((name, c) -> m.put(name, array(c.values(), c.shape(), t)));
            return Map.copyOf(m);
        });
    }

    /** Forces the conversion of the constants (and so ND4J's initialisation) now. */
    void prepare(DataType type) {
        constants(type);
    }

    static INDArray array(double[] values, long[] shape, DataType type) {
        return Nd4j.create(values, shape, type);
    }

    static INDArray array(float[] values, long[] shape) {
        return Nd4j.create(values, shape, DataType.FLOAT);
    }

    /** The values of {@code a} in C order. */
    static double[] doubles(INDArray a) {
        return contiguous(a).data().asDouble();
    }

    static float[] floats(INDArray a) {
        return contiguous(a).data().asFloat();
    }

    private static INDArray contiguous(INDArray a) {
        return a.isView() || a.ordering() != 'c' || a.data().length() != a.length() ? a.dup('c') : a;
    }

    /** Forward pass of {@code plan} (node indices in topological order) from {@code feeds}. */
    Map<String, INDArray> run(Map<String, INDArray> feeds, List<Integer> plan, DataType type) {
        Map<String, INDArray> consts = constants(type);
        Map<String, INDArray> values = new HashMap<>(feeds);
        for (int i : plan) {
            Node n = graph.nodes.get(i);
            List<INDArray> in = inputs(n, values, consts);
            Gate g = gates.get(n.name());
            INDArray out = g != null ? g.run(in.get(0)) : value(n, in, consts);
            values.put(n.outputs().get(0), out);
        }
        return values;
    }

    /**
     * The linearised pass at one point {@code x} (batch of 1) fed as tensor {@code from}, with
     * {@code seed} (a batch of k directions in {@code from}'s shape) as its tangent. A site's value
     * and tangent are its linear map on the pieces {@code rule} picks; the tangent of a tensor
     * that does not depend on {@code from} is null (zero).
     */
    Pass linearised(String from, INDArray x, INDArray seed, List<Integer> plan, GateRule rule) {
        Map<String, INDArray> consts = constants(DataType.DOUBLE);
        Map<String, INDArray> values = new HashMap<>();
        Map<String, INDArray> tangents = new HashMap<>();
        Map<String, int[]> pieces = new HashMap<>();
        values.put(from, x);
        tangents.put(from, seed);
        long k = seed.size(0);
        for (int i : plan) {
            Node n = graph.nodes.get(i);
            List<INDArray> in = inputs(n, values, consts);
            List<INDArray> tin = new ArrayList<>();
            for (String s : n.inputs()) {
                tin.add(s.isEmpty() ? null : tangents.get(s));
            }
            boolean dependent = tin.stream().anyMatch(t -> t != null);
            INDArray out;
            INDArray tout = null;
            Gate g = gates.get(n.name());
            if (g != null) {
                if (tin.size() > 1 && tin.subList(1, tin.size()).stream().anyMatch(t -> t != null)) {
                    throw notAffine(n, from, "its parameters depend on it");
                }
                INDArray z = in.get(0);
                INDArray tz = tin.get(0);
                int[] p = rule.pieces(g, z.shape(), doubles(z), tz == null || k != 1 ? null : doubles(tz));
                pieces.put(n.name(), p);
                out = g.value(z, p);
                if (tz != null) {
                    tout = g.tangent(tz, p);
                }
            } else {
                out = value(n, in, consts);
                if (dependent) {
                    if (out.rank() == 0 || out.size(0) != 1) {
                        throw notAffine(n, from, "its output " + Arrays.toString(out.shape())
                                + " does not keep one point per row (batch axis first)");
                    }
                    tout = tangent(n, in, tin, from, k, out.shape());
                }
            }
            values.put(n.outputs().get(0), out);
            if (tout != null) {
                tangents.put(n.outputs().get(0), tout);
            }
        }
        return new Pass(values, tangents, pieces);
    }

    private List<INDArray> inputs(Node n, Map<String, INDArray> values, Map<String, INDArray> consts) {
        List<INDArray> in = new ArrayList<>(n.inputs().size());
        for (String s : n.inputs()) {
            if (s.isEmpty()) {
                in.add(null);
                continue;
            }
            INDArray v = values.get(s);
            if (v == null) {
                v = consts.get(s);
            }
            if (v == null) {
                throw new IllegalStateException("node '" + n.name() + "' reads '" + s + "', which was not computed");
            }
            in.add(v);
        }
        return in;
    }

    // --- ops -----------------------------------------------------------------------------------

    private INDArray value(Node n, List<INDArray> in, Map<String, INDArray> consts) {
        try {
            return switch (n.op()) {
                case "Gemm" -> gemm(n, in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null);
                case "MatMul" -> matmul(n, in.get(0), in.get(1));
                case "Add" -> add(in.get(0), in.get(1));
                case "Flatten" -> flatten(n, in.get(0));
                case "Identity" -> in.get(0);
                case "Constant" -> consts.get(n.outputs().get(0));
                case "Conv" -> conv(n, in.get(0), in.get(1), in.size() > 2 ? in.get(2) : null);
                case "AveragePool" -> averagePool(n, in.get(0));
                case "BatchNormalization" -> add(in.get(0).mul(channels(consts.get(Graph.foldedScale(n)), in.get(0))),
                        channels(consts.get(Graph.foldedShift(n)), in.get(0)));
                case "Reshape" -> reshape(n, in.get(0));
                case "Transpose" -> in.get(0).permute(Graph.permutation(n, in.get(0).rank())).dup('c');
                default -> throw new IllegalArgumentException("unsupported op " + n.op() + "; supported: " + Graph.SUPPORTED);
            };
        } catch (RuntimeException e) {
            // ND4J's own messages rarely say which node or shapes: name them.
            throw new IllegalArgumentException(n.op() + " node '" + n.name() + "' of " + graph.source + " with inputs "
                    + shapes(in) + ": " + e.getMessage(), e);
        }
    }

    /** The linear part of node {@code n} applied to the tangents of its inputs (null = zero). */
    private INDArray tangent(Node n, List<INDArray> in, List<INDArray> tin, String from, long k, long[] outShape) {
        long[] target = outShape.clone();
        target[0] = k;
        switch (n.op()) {
            case "Gemm" -> {
                if (tin.get(1) != null) {
                    throw notAffine(n, from, "its input B ('" + n.input(1) + "') depends on it");
                }
                INDArray t = null;
                if (tin.get(0) != null) {
                    if (n.intAttr("transA", 0) != 0) {
                        throw notAffine(n, from, "transA=1 puts its points in columns");
                    }
                    t = Nd4j.gemm(tin.get(0), in.get(1), false, n.intAttr("transB", 0) != 0);
                    double alpha = n.floatAttr("alpha", 1);
                    if (alpha != 1) {
                        t.muli(alpha);
                    }
                }
                if (tin.size() > 2 && tin.get(2) != null) {
                    INDArray tc = tin.get(2).mul(n.floatAttr("beta", 1));
                    t = t == null ? expand(tc, target) : t.add(expand(tc, target));
                }
                return t;
            }
            case "MatMul" -> {
                if (tin.get(1) != null) {
                    throw notAffine(n, from, "its input B ('" + n.input(1) + "') depends on it");
                }
                return matmul(n, tin.get(0), in.get(1));
            }
            case "Add" -> {
                INDArray t = null;
                for (INDArray ti : tin) {
                    if (ti != null) {
                        INDArray e = expand(ti, target);
                        t = t == null ? e : t.add(e);
                    }
                }
                return t;
            }
            case "Flatten" -> {
                if (Graph.flattenAxis(n, in.get(0).rank()) != 1) {
                    throw notAffine(n, from, "only axis=1 keeps one point per row");
                }
                INDArray t = tin.get(0);
                return t.reshape('c', k, t.length() / k);
            }
            case "Identity" -> {
                return tin.get(0);
            }
            case "Conv" -> {
                if (tin.get(1) != null || (tin.size() > 2 && tin.get(2) != null)) {
                    throw notAffine(n, from, "its weights depend on it");
                }
                return conv(n, tin.get(0), in.get(1), null);
            }
            case "AveragePool" -> {
                return averagePool(n, tin.get(0));
            }
            case "BatchNormalization" -> {
                if (tin.subList(1, tin.size()).stream().anyMatch(t -> t != null)) {
                    throw notAffine(n, from, "its statistics depend on it");
                }
                INDArray t = tin.get(0);
                return t.mul(channels(constants(DataType.DOUBLE).get(Graph.foldedScale(n)), t));
            }
            case "Reshape" -> {
                return tin.get(0).dup('c').reshape('c', target);
            }
            case "Transpose" -> {
                int[] perm = Graph.permutation(n, tin.get(0).rank());
                if (perm[0] != 0) {
                    throw notAffine(n, from, "perm " + Arrays.toString(perm) + " moves the batch axis");
                }
                return tin.get(0).permute(perm).dup('c');
            }
            default -> throw notAffine(n, from, "op " + n.op() + " has no linear part here");
        }
    }

    private IllegalArgumentException notAffine(Node n, String from, String why) {
        return new IllegalArgumentException("the network of " + graph.source + " is not piecewise linear in '" + from
                + "' at " + n.op() + " node '" + n.name() + "': " + why);
    }

    private static INDArray gemm(Node n, INDArray a, INDArray b, INDArray c) {
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("Gemm needs 2-D A and B");
        }
        long ka = n.intAttr("transA", 0) != 0 ? a.size(0) : a.size(1);
        long kb = n.intAttr("transB", 0) != 0 ? b.size(1) : b.size(0);
        if (ka != kb) {
            throw new IllegalArgumentException("inner dimensions differ: " + ka + " (A) and " + kb + " (B)");
        }
        INDArray y = Nd4j.gemm(a, b, n.intAttr("transA", 0) != 0, n.intAttr("transB", 0) != 0);
        double alpha = n.floatAttr("alpha", 1);
        if (alpha != 1) {
            y.muli(alpha);
        }
        if (c != null) {
            double beta = n.floatAttr("beta", 1);
            y = add(y, beta == 1 ? c : c.mul(beta));
        }
        return y;
    }

    /** Numpy matmul for a 2-D (or 1-D) right operand, or equal batch axes on both sides. */
    private static INDArray matmul(Node n, INDArray a, INDArray b) {
        if (b.rank() == 1) {
            INDArray y = matmul(n, a, b.reshape('c', b.length(), 1));
            long[] s = y.shape();
            return y.reshape('c', Arrays.copyOf(s, s.length - 1));
        }
        if (a.rank() == 1) {
            INDArray y = matmul(n, a.reshape('c', 1, a.length()), b);
            long[] s = y.shape();
            long[] out = new long[s.length - 1];
            System.arraycopy(s, 0, out, 0, s.length - 2);
            out[out.length - 1] = s[s.length - 1];
            return y.reshape('c', out);
        }
        if (a.size(a.rank() - 1) != b.size(b.rank() - 2)) {
            throw new IllegalArgumentException("inner dimensions differ: " + a.size(a.rank() - 1) + " (A) and "
                    + b.size(b.rank() - 2) + " (B)");
        }
        if (b.rank() == 2) {
            long kk = a.size(a.rank() - 1);
            if (a.rank() == 2) {
                return a.mmul(b);
            }
            long[] s = a.shape();
            INDArray y = a.reshape('c', a.length() / kk, kk).mmul(b);
            long[] out = s.clone();
            out[out.length - 1] = b.size(1);
            return y.reshape('c', out);
        }
        if (a.rank() == b.rank() && Arrays.equals(Arrays.copyOf(a.shape(), a.rank() - 2), Arrays.copyOf(b.shape(), b.rank() - 2))) {
            return Nd4j.matmul(a, b);
        }
        throw new IllegalArgumentException("MatMul of shapes " + Arrays.toString(a.shape()) + " and "
                + Arrays.toString(b.shape()) + " is not supported (B must be 1-D or 2-D, or share A's batch axes)");
    }

    /** Numpy-broadcasting addition. */
    static INDArray add(INDArray a, INDArray b) {
        long[] out = Graph.broadcast(a.shape(), b.shape());
        return expand(a, out).add(expand(b, out));
    }

    /** {@code x} broadcast to {@code shape} (numpy rules; no copy if it already has it). */
    static INDArray expand(INDArray x, long[] shape) {
        if (Arrays.equals(x.shape(), shape)) {
            return x;
        }
        if (x.rank() < shape.length) {
            long[] s = new long[shape.length];
            Arrays.fill(s, 1);
            System.arraycopy(x.shape(), 0, s, shape.length - x.rank(), x.rank());
            x = x.reshape('c', s);
        }
        return x.broadcast(shape);
    }

    /**
     * 1-D or 2-D convolution (group &gt;= 1, strides, pads incl. auto_pad, dilations, bias): the
     * input padded explicitly, unfolded by ND4J's im2col and multiplied by the weights per group.
     */
    private static INDArray conv(Node n, INDArray x, INDArray w, INDArray b) {
        int r = x.rank() - 2;
        if (r < 1 || r > 2 || w.rank() != x.rank()) {
            throw new IllegalArgumentException("Conv supports 1-D and 2-D convolutions: input [N, C, L] or [N, C, H, W] and a weight of "
                    + "the same rank");
        }
        long group = n.intAttr("group", 1);
        long batch = x.size(0);
        long channels = x.size(1);
        long m = w.size(0);
        long cg = w.size(1);
        if (group < 1 || channels != cg * group || m % group != 0) {
            throw new IllegalArgumentException("input channels " + channels + ", weight " + Arrays.toString(w.shape()) + " and group "
                    + group + " do not fit (channels = weight.shape[1] * group, weight.shape[0] divisible by group)");
        }
        long[] kernel = Arrays.copyOfRange(w.shape(), 2, w.rank());
        var ks = n.attributes().get("kernel_shape");
        if (ks != null && !Arrays.equals(kernel, ks.getIntsList().stream().mapToLong(Long::longValue).toArray())) {
            throw new IllegalArgumentException("kernel_shape " + ks.getIntsList() + " differs from the weight's " + Arrays.toString(kernel));
        }
        Window win = Window.of(n, Arrays.copyOfRange(x.shape(), 2, x.rank()), kernel);
        // 1-D as 2-D with height 1
        int o = r == 1 ? 1 : 0;
        int[] k = {1, 1}, s = {1, 1}, d = {1, 1}, pb = {0, 0}, pe = {0, 0}, out = {1, 1};
        for (int i = 0; i < r; i++) {
            k[i + o] = win.k()[i];
            s[i + o] = win.s()[i];
            d[i + o] = win.dil()[i];
            pb[i + o] = win.padBegin()[i];
            pe[i + o] = win.padEnd()[i];
            out[i + o] = win.out()[i];
        }
        if (r == 1) {
            x = x.reshape('c', batch, channels, 1, x.size(2));
            w = w.reshape('c', m, cg, 1, w.size(2));
        }
        INDArray xp = win.padded() ? Nd4j.pad(x, new int[][] {{0, 0}, {0, 0}, {pb[0], pe[0]}, {pb[1], pe[1]}}) : x;
        // The output is given: ND4J would otherwise allocate it in its default type (float) and refuse double inputs.
        INDArray cols = Nd4j.create(x.dataType(), batch, channels, k[0], k[1], out[0], out[1]);
        Convolution.im2col(xp, k[0], k[1], s[0], s[1], 0, 0, d[0], d[1], false, cols);
        long rows = batch * out[0] * out[1];
        long mg = m / group;
        long width = cg * k[0] * k[1];
        INDArray y;
        if (group == 1) {
            INDArray unfolded = cols.permute(0, 4, 5, 1, 2, 3).dup('c').reshape('c', rows, width);
            y = unfolded.mmul(w.reshape('c', m, width).transpose());
        } else {
            INDArray[] parts = new INDArray[(int) group];
            for (int g = 0; g < group; g++) {
                INDArray slice = cols.get(NDArrayIndex.all(), NDArrayIndex.interval(g * cg, (g + 1) * cg));
                INDArray unfolded = slice.permute(0, 4, 5, 1, 2, 3).dup('c').reshape('c', rows, width);
                INDArray wg = w.get(NDArrayIndex.interval(g * mg, (g + 1) * mg)).dup('c').reshape('c', mg, width);
                parts[g] = unfolded.mmul(wg.transpose());
            }
            y = Nd4j.concat(1, parts);
        }
        y = y.reshape('c', batch, out[0], out[1], m).permute(0, 3, 1, 2).dup('c');
        if (b != null) {
            y = add(y, b.reshape('c', 1, m, 1, 1));
        }
        return r == 1 ? y.reshape('c', batch, m, out[1]) : y;
    }

    /** AveragePool (linear): the mean of each window's inputs; padding counts only with count_include_pad. */
    private INDArray averagePool(Node n, INDArray x) {
        long[] shape = x.shape();
        Average avg = averages.computeIfAbsent(List.of(n.name(), Arrays.stream(shape).skip(1).boxed().toList()), key -> {
            var ks = n.attributes().get("kernel_shape");
            if (ks == null || ks.getIntsCount() != shape.length - 2) {
                throw new IllegalArgumentException("needs a kernel_shape with one size per spatial axis of " + Arrays.toString(shape));
            }
            Window w = Window.of(n, Arrays.copyOfRange(shape, 2, shape.length), ks.getIntsList().stream().mapToLong(Long::longValue).toArray());
            int[] table = w.table();
            int[] padded = w.paddedCounts();
            boolean includePad = n.intAttr("count_include_pad", 0) != 0;
            double[] div = new double[w.outputs()];
            for (int o = 0; o < div.length; o++) {
                int inside = 0;
                for (int j = 0; j < w.size(); j++) {
                    inside += table[o * w.size() + j] >= 0 ? 1 : 0;
                }
                div[o] = includePad ? padded[o] : inside;
            }
            return new Average(w, table, div);
        });
        Window w = avg.window();
        double[] d = doubles(x);
        int planes = Math.toIntExact(shape[0] * shape[1]);
        int in = w.inputs();
        int outs = w.outputs();
        int size = w.size();
        double[] y = new double[planes * outs];
        for (int p = 0; p < planes; p++) {
            for (int o = 0; o < outs; o++) {
                double sum = 0;
                for (int j = 0; j < size; j++) {
                    int at = avg.table()[o * size + j];
                    if (at >= 0) {
                        sum += d[p * in + at];
                    }
                }
                y[p * outs + o] = sum / avg.divisors()[o];
            }
        }
        long[] outShape = new long[shape.length];
        outShape[0] = shape[0];
        outShape[1] = shape[1];
        for (int i = 0; i < w.rank(); i++) {
            outShape[2 + i] = w.out()[i];
        }
        return array(y, outShape, x.dataType());
    }

    /** A per-channel vector [C] shaped to broadcast over {@code x} [N, C, ...]. */
    private static INDArray channels(INDArray v, INDArray x) {
        long[] s = new long[x.rank()];
        Arrays.fill(s, 1);
        s[1] = v.length();
        return v.reshape('c', s);
    }

    private INDArray reshape(Node n, INDArray x) {
        Graph.Constant target = graph.constants.get(n.input(1));
        if (target == null) {
            throw new IllegalArgumentException("its shape '" + n.input(1) + "' must be a constant (initializer or Constant node)");
        }
        long[] shape = Graph.reshapeTarget(n, target, x.shape());
        return x.dup('c').reshape('c', shape);
    }

    private static INDArray flatten(Node n, INDArray x) {
        long[] s = x.shape();
        int axis = Graph.flattenAxis(n, s.length);
        return x.reshape('c', Graph.product(s, 0, axis), Graph.product(s, axis, s.length));
    }

    private static List<String> shapes(List<INDArray> in) {
        return in.stream().map(a -> a == null ? "none" : Arrays.toString(a.shape())).toList();
    }
}
