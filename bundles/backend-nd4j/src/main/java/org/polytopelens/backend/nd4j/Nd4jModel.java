package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.polytopelens.api.Model;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.AffineMap;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.onnx.graph.Affinity;

/**
 * A piecewise-linear ONNX model evaluated with ND4J: {@link #run} in float32 like any backend,
 * and the exact geometry ({@link PiecewiseLinear}) in double precision. Thread-safe.
 */
final class Nd4jModel implements Model, PiecewiseLinear {
    private static final int MAX_NAMES_IN_ERRORS = 40;

    /** Settings of one opened model. */
    record Options(double walkTolerance, int maxCrossings) {}

    private record PlanKey(Set<String> feeds, List<String> fetches) {}

    private final Graph graph;
    private final Evaluator evaluator;
    private final Options options;
    private final ModelInfo info;
    private final Set<String> tensorNames;
    private final Map<PlanKey, List<Integer>> plans = new ConcurrentHashMap<>();
    /** Compiled plain-array walks by (from, plan, event sites); empty where the graph needs ND4J. */
    private final Map<List<Object>, Optional<DenseWalk>> denseWalk = new ConcurrentHashMap<>();
    /** Whether walks use {@link DenseWalk} where it applies (tests switch it off to compare with ND4J). */
    private volatile boolean denseWalks = true;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable onClose;

    Nd4jModel(Graph graph, Options options, Runnable onClose) throws Exception {
        this.graph = graph;
        this.options = options;
        this.onClose = onClose;
        this.evaluator = new Evaluator(graph);
        this.tensorNames = new LinkedHashSet<>(graph.tensors);
        List<TensorInfo> inputs = graph.inputs.stream().map(this::declaredInfo).toList();
        List<TensorInfo> outputs = graph.outputs.stream().map(this::declaredInfo).toList();
        List<ActivationSite> sites = new ArrayList<>();
        for (Graph.Node n : graph.nodes) {
            Gate g = evaluator.gate(n.name());
            if (g != null) {
                sites.add(site(n, g));
            }
        }
        this.info = new ModelInfo(graph.source, inputs, outputs, sites, graph.tensors);
        // ND4J starts here (on the first open), not when the bundle activates.
        Nd4jContext.call(() -> {
            evaluator.prepare(DataType.FLOAT);
            return null;
        });
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public Optional<PiecewiseLinear> piecewiseLinear() {
        return Optional.of(this);
    }

    /** From the imported graph, as the ONNX Runtime backend decides it (the shared {@link Affinity}). */
    @Override
    public boolean isAffine(String from, String to) {
        checkOpen();
        checkNames("tensor", List.of(from, to));
        List<Affinity.Node> nodes = graph.nodes.stream().map(n -> new Affinity.Node(n.op(), n.inputs(), n.outputs(), n.attributes())).toList();
        return Affinity.affine(nodes, graph.constants.keySet(), graph.inputs, from, to);
    }

    // --- run -----------------------------------------------------------------------------------

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) throws Exception {
        checkOpen();
        if (fetches.isEmpty()) {
            throw new IllegalArgumentException("nothing to fetch from " + graph.source + "; name at least one tensor, e.g. "
                    + graph.outputs);
        }
        checkNames("feed", feeds.keySet());
        checkNames("fetch", fetches);
        int rows = checkBatches(feeds);
        List<String> computed = fetches.stream().filter(f -> !feeds.containsKey(f)).distinct().sorted().toList();
        Map<String, Tensor> out = new HashMap<>();
        if (!computed.isEmpty()) {
            List<Integer> plan = plan(feeds.keySet(), computed);
            out = Nd4jContext.call(() -> compute(feeds, computed, plan, rows));
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String f : fetches) {
            result.put(f, feeds.containsKey(f) ? feeds.get(f) : out.get(f));
        }
        return result;
    }

    private Map<String, Tensor> compute(Map<String, Tensor> feeds, List<String> fetches, List<Integer> plan, int rows) {
        // ND4J has no use for empty batches: run one row of zeros and keep none of its rows.
        boolean empty = rows == 0;
        Map<String, INDArray> in = new HashMap<>();
        feeds.forEach((name, t) -> {
            long[] shape = t.shape().clone();
            float[] data = t.data();
            if (empty && shape.length > 0) {
                shape[0] = 1;
                data = new float[Math.toIntExact(Tensor.size(shape))];
            }
            in.put(name, Evaluator.array(data, shape));
        });
        Map<String, INDArray> values = evaluator.run(in, plan, DataType.FLOAT);
        Map<String, Tensor> out = new HashMap<>();
        for (String f : fetches) {
            INDArray v = values.get(f);
            long[] shape = v.shape();
            if (empty && shape.length > 0) {
                shape = shape.clone();
                shape[0] = 0;
                out.put(f, new Tensor(shape, new float[0]));
            } else {
                INDArray fl = v.dataType() == DataType.FLOAT ? v : v.castTo(DataType.FLOAT);
                out.put(f, new Tensor(shape, Evaluator.floats(fl)));
            }
        }
        return out;
    }

    private List<Integer> plan(Set<String> feeds, List<String> fetches) {
        return plans.computeIfAbsent(new PlanKey(Set.copyOf(feeds), List.copyOf(fetches)), k -> graph.plan(k.feeds(), k.fetches()));
    }

    // --- piecewise-linear geometry ----------------------------------------------------------------

    @Override
    public AffineMap affineMap(String from, float[] point, String to) throws Exception {
        checkOpen();
        checkNames("feed", List.of(from));
        checkNames("fetch", List.of(to));
        long[] shape = pointShape(from, point.length);
        List<Integer> plan = plan(Set.of(from), List.of(to));
        int n = point.length;
        return Nd4jContext.call(() -> {
            INDArray x = Evaluator.array(toDouble(point), batchShape(1, shape), DataType.DOUBLE);
            double[] eye = new double[n * n];
            for (int i = 0; i < n; i++) {
                eye[i * n + i] = 1;
            }
            INDArray seed = Evaluator.array(eye, batchShape(n, shape), DataType.DOUBLE);
            Evaluator.Pass pass = evaluator.linearised(from, x, seed, plan, (gate, s, z, dz) -> gate.pieces(s, z));
            double[] y = Evaluator.doubles(pass.values().get(to));
            int m = y.length;
            INDArray t = pass.tangents().get(to);
            double[] tangent = t == null ? new double[n * m] : Evaluator.doubles(t); // [n, m]: row j = A e_j
            double[] a = new double[m * n];
            double[] c = y.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double aij = tangent[j * m + i];
                    a[i * n + j] = aij;
                    c[i] -= aij * point[j];
                }
            }
            return new AffineMap(m, n, a, c);
        });
    }

    @Override
    public float[] jvp(String from, float[] point, float[] direction, String to) throws Exception {
        checkOpen();
        checkNames("feed", List.of(from));
        checkNames("fetch", List.of(to));
        long[] shape = pointShape(from, point.length);
        if (direction.length != point.length) {
            throw new IllegalArgumentException("direction has " + direction.length + " values, the point " + point.length);
        }
        List<Integer> plan = plan(Set.of(from), List.of(to));
        return Nd4jContext.call(() -> {
            INDArray x = Evaluator.array(toDouble(point), batchShape(1, shape), DataType.DOUBLE);
            INDArray v = Evaluator.array(toDouble(direction), batchShape(1, shape), DataType.DOUBLE);
            Evaluator.Pass pass = evaluator.linearised(from, x, v, plan, (gate, s, z, dz) -> gate.pieces(s, z));
            INDArray t = pass.tangents().get(to);
            if (t == null) {
                return new float[(int) pass.values().get(to).length()];
            }
            double[] d = Evaluator.doubles(t);
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Empty {@code sites} means every site downstream of {@code from} except MaxPool sites
     * (coded only when named, as for codes); their switches still split the pieces and are
     * stepped over. A crossing's neuron is the element of the pre-activation (Relu family,
     * Clip: once per bound crossed) or the MaxPool output element whose winner changed.
     */
    @Override
    public List<Crossing> walk(String from, float[] a, float[] b, List<String> sites) throws Exception {
        checkOpen();
        checkNames("feed", List.of(from));
        long[] shape = pointShape(from, a.length);
        if (b.length != a.length) {
            throw new IllegalArgumentException("segment ends differ in size: " + a.length + " and " + b.length);
        }
        List<ActivationSite> downstream = downstream(from);
        // As for codes: by default every gate, MaxPool sites only when named (their switches are still stepped over).
        List<ActivationSite> chosen = sites.isEmpty()
                ? downstream.stream().filter(s -> !s.op().equals("MaxPool")).toList()
                : sites.stream().map(info::site).toList();
        for (ActivationSite s : chosen) {
            if (!downstream.contains(s)) {
                throw new IllegalArgumentException("site '" + s.name() + "' is not downstream of '" + from + "' in "
                        + graph.source + "; sites downstream: " + downstream.stream().map(ActivationSite::name).toList());
            }
        }
        // Every site the chosen sites' pre-activations depend on changes the affine pieces: fetch them all.
        LinkedHashSet<String> targets = new LinkedHashSet<>();
        chosen.forEach(s -> targets.add(s.preactivation()));
        List<Integer> plan = plan(Set.of(from), List.copyOf(targets));
        List<ActivationSite> events = new ArrayList<>();
        for (ActivationSite s : info.sites()) {
            if (plan.contains(graph.indexOf(s.name())) || chosen.contains(s)) {
                events.add(s);
            }
        }
        Set<String> reported = new HashSet<>();
        chosen.forEach(s -> reported.add(s.name()));
        SegmentWalk walk = new SegmentWalk(reported, options);
        double[] ad = toDouble(a);
        double[] bd = toDouble(b);
        return Nd4jContext.call(() -> {
            Optional<DenseWalk> dense = !denseWalks ? Optional.empty()
                    : denseWalk.computeIfAbsent(List.of(from, plan, events.stream().map(ActivationSite::name).toList()),
                            k -> Optional.ofNullable(DenseWalk.compile(graph, evaluator, from, shape, plan, events, options.walkTolerance())));
            return walk.run(dense.isPresent() ? dense.get().start(ad, bd)
                    : new SegmentWalk.Nd4jWalk(evaluator, from, shape, plan, events, options.walkTolerance(), ad, bd));
        });
    }

    /** Walks on plain arrays where {@link DenseWalk} covers the graph (the default), else always with ND4J. */
    void denseWalks(boolean use) {
        denseWalks = use;
    }

    /** How many of the walks compiled so far run on plain arrays (for tests). */
    long denseWalksCompiled() {
        return denseWalk.values().stream().filter(Optional::isPresent).count();
    }

    /** Sites whose pre-activation can be computed from {@code from} alone. */
    private List<ActivationSite> downstream(String from) {
        List<ActivationSite> out = new ArrayList<>();
        for (ActivationSite s : info.sites()) {
            try {
                if (!s.preactivation().equals(from)) {
                    plan(Set.of(from), List.of(s.preactivation()));
                }
                out.add(s);
            } catch (IllegalArgumentException e) {
                // upstream of, or beside, from
            }
        }
        return out;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static long[] batchShape(long rows, long[] pointShape) {
        long[] s = new long[pointShape.length + 1];
        s[0] = rows;
        System.arraycopy(pointShape, 0, s, 1, pointShape.length);
        return s;
    }

    /** The shape of one point of tensor {@code from}; a flat vector where it is not known statically. */
    private long[] pointShape(String from, int length) {
        long[] full = graph.shape(from);
        if (full != null && full.length >= 1) {
            long[] p = Arrays.copyOfRange(full, 1, full.length);
            if (Arrays.stream(p).allMatch(d -> d >= 0)) {
                if (Graph.product(p, 0, p.length) != length) {
                    throw new IllegalArgumentException("a point of '" + from + "' in " + graph.source + " has shape "
                            + Arrays.toString(p) + " (" + Graph.product(p, 0, p.length) + " values), got " + length);
                }
                return p;
            }
        }
        return new long[] {length};
    }

    // --- info and checks ------------------------------------------------------------------------

    /**
     * A site as the ONNX Runtime backend reports it: the shape is the pre-activation's (the
     * node's input) without the batch axis, the neurons are the elements of the coded tensor (a
     * MaxPool's output, else the pre-activation), attributes as its SiteFinder fills them.
     */
    private ActivationSite site(Graph.Node n, Gate gate) {
        String pre = n.input(0);
        long[] shape = pointShapeOf(pre);
        long[] coded = n.op().equals("MaxPool") ? pointShapeOf(n.outputs().get(0)) : shape;
        long neurons = 1;
        for (long d : coded) {
            neurons = d < 0 || neurons < 0 ? -1 : neurons * d;
        }
        return new ActivationSite(n.name(), n.op(), GateKind.HARD, pre, shape, neurons, gate.attributes());
    }

    private long[] pointShapeOf(String tensor) {
        long[] full = graph.shape(tensor);
        return full == null ? new long[] {-1} : Arrays.copyOfRange(full, Math.min(1, full.length), full.length);
    }

    private TensorInfo declaredInfo(String name) {
        String dtype = graph.dtypes.getOrDefault(name, "undefined");
        long[] shape = graph.declaredShapes.getOrDefault(name, new long[0]);
        return new TensorInfo(name, dtype, shape);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("model " + graph.source + " is closed");
        }
    }

    private void checkNames(String what, Collection<String> names) {
        List<String> unknown = names.stream().filter(n -> !tensorNames.contains(n)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        LinkedHashSet<String> valid = new LinkedHashSet<>();
        info.inputs().forEach(t -> valid.add(t.name()));
        info.sites().forEach(s -> valid.add(s.preactivation()));
        info.outputs().forEach(t -> valid.add(t.name()));
        valid.addAll(tensorNames);
        List<String> shown = valid.stream().limit(MAX_NAMES_IN_ERRORS).toList();
        String more = valid.size() > shown.size() ? " ... and " + (valid.size() - shown.size()) + " more (see info().tensors())" : "";
        throw new IllegalArgumentException("cannot " + what + " unknown tensor(s) " + unknown + " in " + graph.source
                + "; valid tensors: " + shown + more);
    }

    private int checkBatches(Map<String, Tensor> feeds) {
        Integer rows = null;
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("feed '" + e.getKey() + "' is null");
            }
            int r = e.getValue().rows();
            if (rows != null && r != rows) {
                throw new IllegalArgumentException("feeds of " + graph.source + " disagree on the batch size: "
                        + feeds.entrySet().stream().map(f -> f.getKey() + Arrays.toString(f.getValue().shape())).toList());
            }
            rows = r;
        }
        return rows == null ? 1 : rows;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "Nd4jModel[" + graph.source + "]";
    }
}
