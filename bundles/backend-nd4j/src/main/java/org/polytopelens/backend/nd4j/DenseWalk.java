package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.backend.nd4j.Graph.Node;

/**
 * The walk's linearisation ({@link SegmentWalk.Linearisation}) for dense networks, on plain
 * {@code double[]} arrays: chains and DAGs of Gemm, MatMul (2-D weight), Add, Flatten, Reshape,
 * Identity and Constant with Relu, LeakyRelu, PRelu and Clip sites, i.e. MLPs. ND4J's per-op
 * overhead (native buffers, op contexts) costs ~0.25 ms per step on a 784-128-64-10 MLP, far more
 * than the arithmetic; here a step is plain loops.
 *
 * <p>Every tensor computed without passing through a site (e.g. the first layer's
 * pre-activations) is affine in t along the whole segment, {@code v(t) = v(a) + t (v(b) - v(a))}
 * in its linear part: it is evaluated once per walk, at {@code a} and in the direction
 * {@code b - a}. The others are re-evaluated at each step as value and direction (the linear part
 * on the current pieces), exactly as {@link Evaluator#linearised} does with ND4J; pieces use the
 * same {@link Gate} rules, so both give the same crossings (t up to rounding).
 *
 * <p>{@link #compile} returns null for any graph it does not cover (Conv, pools, ...), which then
 * walks with ND4J. Immutable and thread-safe; every walk has its own arrays.
 */
final class DenseWalk {
    /** One node on the tensors' slots; {@code fixed} ops run once per walk. */
    private sealed interface Op permits Affine, AddConstant, AddBoth, Site {}

    /** {@code y = W x + bias}, W row-major [rows, cols]; bias may be null. */
    private record Affine(int in, int out, int rows, int cols, double[] w, double[] bias) implements Op {}

    private record AddConstant(int in, int out, double[] c) implements Op {}

    private record AddBoth(int x, int y, int out) implements Op {}

    /** A site in the plan: its pieces (right-limit rule) fix its value and direction. */
    private record Site(int in, int out, Gate gate, long[] shape, double[] negativeSlopes) implements Op {}

    /** An event site: where its pre-activation lives, and its Site op if the plan evaluates it. */
    private record Event(Gate gate, int slot, long[] shape, int op) {}

    private final int slots;
    private final int[] sizes;
    private final List<Op> once;
    private final List<Op> perStep;
    /** Fixed slots that per-step ops or events read: materialised at every step. */
    private final int[] materialised;
    private final List<Event> events;
    private final double tolerance;

    private DenseWalk(int[] sizes, List<Op> once, List<Op> perStep, int[] materialised, List<Event> events, double tolerance) {
        this.slots = sizes.length;
        this.sizes = sizes;
        this.once = once;
        this.perStep = perStep;
        this.materialised = materialised;
        this.events = events;
        this.tolerance = tolerance;
    }

    /**
     * The program of {@code plan} fed at {@code from} (a point of shape {@code pointShape}) that
     * yields the states of {@code events}, or null if the plan has a node this class does not
     * cover (the caller then walks with ND4J). Runs inside {@link Nd4jContext} (broadcasting of
     * constants uses ND4J once, here).
     */
    static DenseWalk compile(Graph graph, Evaluator evaluator, String from, long[] pointShape, List<Integer> plan,
            List<ActivationSite> events, double tolerance) {
        try {
            return new Compiler(graph, evaluator).compile(from, pointShape, plan, events, tolerance);
        } catch (RuntimeException e) {
            return null; // e.g. shapes this class does not handle: the ND4J path reports real errors
        }
    }

    private static final class Compiler {
        private final Graph graph;
        private final Evaluator evaluator;
        private final Map<String, Integer> slot = new HashMap<>();
        private final Map<String, long[]> shape = new HashMap<>(); // point shapes (no batch axis) by tensor
        private final List<Integer> sizes = new ArrayList<>();
        private final List<Boolean> fixed = new ArrayList<>();
        private final List<Op> once = new ArrayList<>();
        private final List<Op> perStep = new ArrayList<>();
        private final Map<String, Integer> siteOps = new HashMap<>();

        Compiler(Graph graph, Evaluator evaluator) {
            this.graph = graph;
            this.evaluator = evaluator;
        }

        private int newSlot(String tensor, long[] pointShape, boolean isFixed) {
            int s = sizes.size();
            sizes.add(Math.toIntExact(Graph.product(pointShape, 0, pointShape.length)));
            fixed.add(isFixed);
            slot.put(tensor, s);
            shape.put(tensor, pointShape);
            return s;
        }

        private void alias(String tensor, String of, long[] pointShape) {
            slot.put(tensor, slot.get(of));
            shape.put(tensor, pointShape);
        }

        private void add(Op op, boolean isFixed) {
            (isFixed ? once : perStep).add(op);
        }

        DenseWalk compile(String from, long[] pointShape, List<Integer> plan, List<ActivationSite> eventSites, double tolerance) {
            if (Graph.product(pointShape, 0, pointShape.length) < 0) {
                return null;
            }
            newSlot(from, pointShape, true);
            for (int i : plan) {
                Node n = graph.nodes.get(i);
                List<String> dependent = n.inputs().stream().filter(slot::containsKey).toList();
                if (dependent.isEmpty()) {
                    if (!graph.constants.containsKey(n.outputs().get(0))) {
                        return null; // computed from constants at run time: not covered
                    }
                    continue;
                }
                if (!node(n, dependent)) {
                    return null;
                }
            }
            List<Event> ev = new ArrayList<>();
            boolean[] read = new boolean[sizes.size()];
            for (ActivationSite s : eventSites) {
                Integer at = slot.get(s.preactivation());
                Gate g = evaluator.gate(s.name());
                if (at == null || g == null) {
                    return null;
                }
                read[at] = true;
                ev.add(new Event(g, at, Nd4jModel.batchShape(1, shape.get(s.preactivation())), siteOps.getOrDefault(s.name(), -1)));
            }
            for (Op op : perStep) {
                for (int in : inputs(op)) {
                    read[in] = true;
                }
            }
            int[] materialised = IntStream.range(0, read.length).filter(s -> read[s] && fixed.get(s)).toArray();
            return new DenseWalk(sizes.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(once), List.copyOf(perStep),
                    materialised, List.copyOf(ev), tolerance);
        }

        /** Adds node {@code n}; false if it is not covered. */
        private boolean node(Node n, List<String> dependent) {
            String x = n.input(0);
            String out = n.outputs().get(0);
            if (n.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
                return false;
            }
            boolean allFixed = dependent.stream().allMatch(d -> fixed.get(slot.get(d)));
            switch (n.op()) {
                case "Gemm", "MatMul" -> {
                    boolean gemm = n.op().equals("Gemm");
                    long[] xs = shape.get(x);
                    Graph.Constant b = graph.constants.get(n.input(1));
                    if (dependent.size() != 1 || !dependent.get(0).equals(x) || xs == null || xs.length != 1 || b == null
                            || b.shape().length != 2 || (gemm && n.intAttr("transA", 0) != 0)) {
                        return false;
                    }
                    boolean transB = gemm && n.intAttr("transB", 0) != 0;
                    int cols = Math.toIntExact(xs[0]);
                    int rows = Math.toIntExact(transB ? b.shape()[0] : b.shape()[1]);
                    if ((transB ? b.shape()[1] : b.shape()[0]) != cols) {
                        return false;
                    }
                    double alpha = gemm ? n.floatAttr("alpha", 1) : 1;
                    double[] w = new double[rows * cols];
                    double[] bv = b.values();
                    for (int o = 0; o < rows; o++) {
                        for (int i = 0; i < cols; i++) {
                            w[o * cols + i] = alpha * (transB ? bv[o * cols + i] : bv[i * rows + o]);
                        }
                    }
                    double[] bias = null;
                    long[] outShape = {rows};
                    if (gemm && !n.input(2).isEmpty()) {
                        Graph.Constant c = graph.constants.get(n.input(2));
                        if (c == null) {
                            return false;
                        }
                        bias = broadcast(c, outShape, n.floatAttr("beta", 1));
                        if (bias == null) {
                            return false;
                        }
                    }
                    add(new Affine(slot.get(x), newSlot(out, outShape, allFixed), rows, cols, w, bias), allFixed);
                }
                case "Add" -> {
                    if (dependent.size() == 2) {
                        String y = n.input(1);
                        if (!Arrays.equals(shape.get(x), shape.get(y))) {
                            return false;
                        }
                        add(new AddBoth(slot.get(x), slot.get(y), newSlot(out, shape.get(x), allFixed)), allFixed);
                    } else {
                        String v = dependent.get(0);
                        Graph.Constant c = graph.constants.get(v.equals(x) ? n.input(1) : x);
                        double[] cv = c == null ? null : broadcast(c, shape.get(v), 1);
                        if (cv == null) {
                            return false;
                        }
                        add(new AddConstant(slot.get(v), newSlot(out, shape.get(v), allFixed), cv), allFixed);
                    }
                }
                case "Identity" -> alias(out, x, shape.get(x));
                case "Flatten" -> {
                    long[] s = shape.get(x);
                    if (Graph.flattenAxis(n, s.length + 1) != 1) {
                        return false;
                    }
                    alias(out, x, new long[] {Graph.product(s, 0, s.length)});
                }
                case "Reshape" -> {
                    Graph.Constant target = graph.constants.get(n.input(1));
                    if (target == null || !dependent.equals(List.of(x))) {
                        return false;
                    }
                    long[] t = Graph.reshapeTarget(n, target, Nd4jModel.batchShape(1, shape.get(x)));
                    long[] s = Arrays.copyOfRange(t, 1, t.length);
                    if (t.length == 0 || t[0] != 1 || Graph.product(s, 0, s.length) != sizes.get(slot.get(x))) {
                        return false;
                    }
                    alias(out, x, s);
                }
                case "Relu", "LeakyRelu", "PRelu", "Clip" -> {
                    Gate g = evaluator.gate(n.name());
                    if (!dependent.equals(List.of(x)) || g == null) {
                        return false;
                    }
                    long[] full = Nd4jModel.batchShape(1, shape.get(x));
                    double[] neg = g instanceof Gate.Ramp r ? r.negativeSlopes(full) : null;
                    siteOps.put(n.name(), perStep.size());
                    perStep.add(new Site(slot.get(x), newSlot(out, shape.get(x), false), g, full, neg));
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** {@code scale * c} broadcast to a point of shape {@code pointShape}, or null if it would change the point's shape. */
        private static double[] broadcast(Graph.Constant c, long[] pointShape, double scale) {
            long[] full = Nd4jModel.batchShape(1, pointShape);
            if (!Arrays.equals(Graph.broadcast(full, c.shape()), full)) {
                return null;
            }
            double[] v = Evaluator.doubles(Evaluator.expand(Evaluator.array(c.values(), c.shape(), DataType.DOUBLE), full));
            if (scale != 1) {
                for (int i = 0; i < v.length; i++) {
                    v[i] *= scale;
                }
            }
            return v;
        }
    }

    private static int[] inputs(Op op) {
        if (op instanceof Affine a) {
            return new int[] {a.in()};
        } else if (op instanceof AddConstant a) {
            return new int[] {a.in()};
        } else if (op instanceof AddBoth a) {
            return new int[] {a.x(), a.y()};
        }
        return new int[] {((Site) op).in()};
    }

    /** The linearisation of one segment: the fixed part evaluated now, the rest at each step. */
    SegmentWalk.Linearisation start(double[] a, double[] b) {
        double[][] v0 = new double[slots][];
        double[][] d0 = new double[slots][];
        v0[0] = a;
        d0[0] = SegmentWalk.difference(a, b);
        for (Op op : once) {
            apply(op, v0, d0, Map.of());
        }
        return (t, crossed) -> {
            double[][] v = new double[slots][];
            double[][] d = new double[slots][];
            for (int s = 0; s < slots; s++) {
                d[s] = d0[s];
            }
            for (int s : materialised) {
                double[] x = v0[s];
                double[] dx = d0[s];
                double[] y = new double[x.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = x[i] + t * dx[i];
                }
                v[s] = y;
            }
            int[][] pieces = new int[perStep.size()][];
            for (int k = 0; k < perStep.size(); k++) {
                pieces[k] = apply(perStep.get(k), v, d, crossed);
            }
            List<SegmentWalk.State> states = new ArrayList<>(events.size());
            for (Event e : events) {
                double[] z = v[e.slot()];
                double[] dz = d[e.slot()];
                int[] p = e.op() >= 0 ? pieces[e.op()]
                        : e.gate().rightPieces(e.shape(), z, dz, tolerance, crossed.getOrDefault(e.gate().name(), Set.of()));
                states.add(new SegmentWalk.State(e.gate(), e.shape(), z, dz, p));
            }
            return states;
        };
    }

    /** Runs {@code op} on values {@code v} and directions {@code d}; a site's pieces are returned (else null). */
    private int[] apply(Op op, double[][] v, double[][] d, Map<String, Set<Long>> crossed) {
        if (op instanceof Affine f) {
            double[] x = v[f.in()];
            double[] dx = d[f.in()];
            double[] w = f.w();
            double[] bias = f.bias();
            int cols = f.cols();
            double[] y = new double[f.rows()];
            double[] dy = new double[f.rows()];
            for (int o = 0; o < y.length; o++) {
                double s = 0;
                double ds = 0;
                int row = o * cols;
                for (int i = 0; i < cols; i++) {
                    double wi = w[row + i];
                    s += wi * x[i];
                    ds += wi * dx[i];
                }
                y[o] = bias == null ? s : s + bias[o];
                dy[o] = ds;
            }
            v[f.out()] = y;
            d[f.out()] = dy;
            return null;
        }
        if (op instanceof AddConstant c) {
            double[] x = v[c.in()];
            double[] y = new double[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = x[i] + c.c()[i];
            }
            v[c.out()] = y;
            d[c.out()] = d[c.in()];
            return null;
        }
        if (op instanceof AddBoth s) {
            v[s.out()] = sum(v[s.x()], v[s.y()]);
            d[s.out()] = sum(d[s.x()], d[s.y()]);
            return null;
        }
        Site s = (Site) op;
        double[] z = v[s.in()];
        double[] dz = d[s.in()];
        int[] p = s.gate().rightPieces(s.shape(), z, dz, tolerance, crossed.getOrDefault(s.gate().name(), Set.of()));
        double[] y = new double[z.length];
        double[] dy = new double[z.length];
        if (s.gate() instanceof Gate.ClipGate c) {
            double below = Math.min(c.min(), c.max());
            for (int i = 0; i < z.length; i++) {
                if ((p[i] & 2) != 0) {
                    y[i] = c.max();
                } else if (p[i] == 1) {
                    y[i] = z[i];
                    dy[i] = dz[i];
                } else {
                    y[i] = below;
                }
            }
        } else {
            double[] neg = s.negativeSlopes();
            for (int i = 0; i < z.length; i++) {
                double f = p[i] != 0 ? 1 : neg[i];
                y[i] = z[i] * f;
                dy[i] = dz[i] * f;
            }
        }
        v[s.out()] = y;
        d[s.out()] = dy;
        return p;
    }

    private static double[] sum(double[] x, double[] y) {
        double[] s = new double[x.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = x[i] + y[i];
        }
        return s;
    }
}
