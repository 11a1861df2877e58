package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.polytopelens.backend.nd4j.Graph.Node;

/**
 * Evaluates a {@link Graph} with ND4J. Two modes:
 *
 * <ul>
 *   <li>{@link #run}: plain forward pass of a batch (float32 for {@code Model.run}).
 *   <li>{@link #linearised}: the network with every Relu's gates fixed (by a {@link GateRule}),
 *       evaluated at one point together with its linear part applied to {@code k} directions
 *       ("tangents", a batch of {@code k} rows in the point's shape): the affine map of the
 *       polytope, exactly, in double precision.
 * </ul>
 *
 * Must be called with the thread context class loader set to ND4J's ({@link Nd4jContext}).
 * Thread-safe: constants are shared read-only, every call has its own arrays.
 */
final class Evaluator {
    /** Decides the gates (0 or 1 per neuron) of one Relu from its pre-activation and its tangent (may be null). */
    @FunctionalInterface
    interface GateRule {
        double[] gates(Node relu, double[] z, double[] dz);
    }

    /** Result of a linearised pass: values and tangents by tensor, gates by Relu node name. */
    record Pass(Map<String, INDArray> values, Map<String, INDArray> tangents, Map<String, double[]> gates) {}

    private final Graph graph;
    private final Map<DataType, Map<String, INDArray>> constants = new ConcurrentHashMap<>();

    Evaluator(Graph graph) {
        this.graph = graph;
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
            INDArray out = switch (n.op()) {
                case "Relu" -> Transforms.relu(in.get(0), true);
                default -> value(n, in, consts);
            };
            values.put(n.outputs().get(0), out);
        }
        return values;
    }

    /**
     * The linearised pass at one point {@code x} (batch of 1) fed as tensor {@code from}, with
     * {@code seed} (a batch of k directions in {@code from}'s shape) as its tangent. A Relu's value
     * is {@code z * gate} with gates from {@code rule}; the tangent of a tensor that does not
     * depend on {@code from} is null (zero).
     */
    Pass linearised(String from, INDArray x, INDArray seed, List<Integer> plan, GateRule rule) {
        Map<String, INDArray> consts = constants(DataType.DOUBLE);
        Map<String, INDArray> values = new HashMap<>();
        Map<String, INDArray> tangents = new HashMap<>();
        Map<String, double[]> gates = new HashMap<>();
        values.put(from, x);
        tangents.put(from, seed);
        long k = seed.size(0);
        for (int i : plan) {
            Node n = graph.nodes.get(i);
            List<INDArray> in = inputs(n, values, consts);
            List<INDArray> tin = new ArrayList<>();
            for (String s : n.inputs()) {
                tin.add(tangents.get(s));
            }
            boolean dependent = tin.stream().anyMatch(t -> t != null);
            INDArray out;
            INDArray tout = null;
            if (n.op().equals("Relu")) {
                INDArray z = in.get(0);
                INDArray tz = tin.get(0);
                double[] g = rule.gates(n, doubles(z), tz == null ? null : doubles(tz));
                gates.put(n.name(), g);
                INDArray mask = array(g, z.shape(), DataType.DOUBLE);
                out = z.mul(mask);
                if (tz != null) {
                    tout = tz.mul(mask.broadcast(tz.shape()));
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
        return new Pass(values, tangents, gates);
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

    private static INDArray flatten(Node n, INDArray x) {
        long[] s = x.shape();
        int axis = Graph.flattenAxis(n, s.length);
        return x.reshape('c', Graph.product(s, 0, axis), Graph.product(s, axis, s.length));
    }

    private static List<String> shapes(List<INDArray> in) {
        return in.stream().map(a -> a == null ? "none" : Arrays.toString(a.shape())).toList();
    }
}
