package org.polytopelens.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.polytopelens.api.Model;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * A model opened with ONNX Runtime. Every distinct (feeds, fetches) pair gets its own session on
 * a rewritten copy of the graph ({@link GraphSurgery}), cached in a bounded LRU
 * ({@link SessionCache}). Thread-safe: sessions are shared, ONNX Runtime's {@code run} is
 * re-entrant, and input/output tensors are per call.
 *
 * <p>Site shapes: a site's shape is its pre-activation's shape without the first (batch) axis.
 * It is taken from the graph's declared types (inputs, outputs, {@code value_info}). Where that
 * leaves a dimension other than the batch axis unknown, and every model input is static apart
 * from its first axis, one probe run with batch 1 on zeros measures it; otherwise the dimension
 * stays -1 (and {@code neurons} is -1).
 */
final class OnnxModel implements Model {
    private static final int MAX_NAMES_IN_ERRORS = 40;

    private final String source;
    private final ModelProto proto;
    private final GraphIndex graph;
    private final Set<String> tensorNames;
    private final OrtEnvironment env;
    private final Options options;
    private final SessionCache<Key, Prepared> sessions;
    private final Map<String, TensorInfo> probed;
    private final ModelInfo info;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Consumer<Model> onClose;

    /** Session settings for every session of this model. */
    record Options(int threads, OrtSession.SessionOptions.OptLevel optimization, int sessions) {}

    /** Cache key: the feeds the caller gives and the tensors it fetches (both sorted). */
    private record Key(List<String> feeds, List<String> fetches) {}

    /** A session and the element types of the inputs it reads. */
    private record Prepared(OrtSession session, Map<String, OnnxJavaType> inputTypes) implements AutoCloseable {
        @Override
        public void close() throws OrtException {
            session.close();
        }
    }

    OnnxModel(String source, ModelProto proto, OrtEnvironment env, Options options, Consumer<Model> onClose) throws Exception {
        this.source = source;
        this.proto = proto;
        this.graph = new GraphIndex(proto.getGraph());
        this.tensorNames = new LinkedHashSet<>(graph.tensors);
        this.env = env;
        this.options = options;
        this.sessions = new SessionCache<>(options.sessions());
        this.onClose = onClose;
        try {
            List<TensorInfo> inputs = graph.inputs.stream().map(v -> declaredInfo(v.getName())).toList();
            List<TensorInfo> outputs = proto.getGraph().getOutputList().stream()
                    .map(ValueInfoProto::getName).map(this::declaredInfo).toList();
            List<SiteFinder.Found> found = SiteFinder.find(graph);
            // Loading the model as the user wrote it fails early, with ONNX Runtime's reason, on unsupported content.
            lease(new TreeSet<>(inputs.stream().map(TensorInfo::name).toList()),
                    new TreeSet<>(outputs.stream().map(TensorInfo::name).toList())).close();
            this.probed = probe(inputs, found);
            List<ActivationSite> sites = found.stream().map(this::site).toList();
            this.info = new ModelInfo(source, inputs, outputs, sites, graph.tensors);
        } catch (Exception | Error e) {
            sessions.close();
            throw e;
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) throws OrtException {
        if (closed.get()) {
            throw new IllegalStateException("model " + source + " is closed");
        }
        if (fetches.isEmpty()) {
            throw new IllegalArgumentException("nothing to fetch from " + source + "; name at least one tensor, e.g. "
                    + info.outputs().stream().map(TensorInfo::name).toList());
        }
        checkNames("feed", feeds.keySet());
        checkNames("fetch", fetches);
        checkBatches(feeds);

        Map<String, Tensor> result = new LinkedHashMap<>();
        Set<String> computed = new TreeSet<>();
        for (String f : fetches) {
            if (!feeds.containsKey(f)) {
                computed.add(f);
            }
        }
        if (!computed.isEmpty()) {
            Map<String, Tensor> out = compute(feeds, computed);
            for (String f : fetches) {
                result.put(f, feeds.containsKey(f) ? feeds.get(f) : out.get(f));
            }
        } else {
            fetches.forEach(f -> result.put(f, feeds.get(f)));
        }
        return result;
    }

    private Map<String, Tensor> compute(Map<String, Tensor> feeds, Set<String> fetches) throws OrtException {
        try (SessionCache<Key, Prepared>.Lease lease = lease(new TreeSet<>(feeds.keySet()), fetches)) {
            Prepared p = lease.value();
            Map<String, OnnxTensor> in = new HashMap<>();
            try {
                for (Map.Entry<String, OnnxJavaType> e : p.inputTypes().entrySet()) {
                    in.put(e.getKey(), Tensors.toOrt(env, e.getKey(), feeds.get(e.getKey()), e.getValue()));
                }
                try (OrtSession.Result r = p.session().run(in, fetches)) {
                    Map<String, Tensor> out = new HashMap<>();
                    for (Map.Entry<String, OnnxValue> e : r) {
                        if (!(e.getValue() instanceof OnnxTensor t)) {
                            throw new IllegalArgumentException("cannot fetch '" + e.getKey() + "' from " + source
                                    + ": it is a " + e.getValue().getType() + ", not a tensor");
                        }
                        out.put(e.getKey(), Tensors.fromOrt(e.getKey(), t));
                    }
                    return out;
                }
            } finally {
                in.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private SessionCache<Key, Prepared>.Lease lease(Set<String> feeds, Set<String> fetches) throws OrtException {
        Key key = new Key(List.copyOf(feeds), List.copyOf(fetches));
        try {
            return sessions.acquire(key, () -> prepare(key));
        } catch (OrtException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Prepared prepare(Key key) throws OrtException {
        GraphSurgery.Cut cut = GraphSurgery.cut(proto, graph, new LinkedHashSet<>(key.feeds()), key.fetches(),
                probed == null ? Map.of() : probed);
        OrtSession session;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            if (options.threads() > 0) {
                o.setIntraOpNumThreads(options.threads());
            }
            o.setOptimizationLevel(options.optimization());
            session = env.createSession(cut.model().toByteArray(), o);
        }
        try {
            Map<String, OnnxJavaType> types = new LinkedHashMap<>();
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                types.put(e.getKey(), ((ai.onnxruntime.TensorInfo) e.getValue().getInfo()).type);
            }
            return new Prepared(session, types);
        } catch (OrtException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Shapes of the sites' pre-activations that the declarations leave open, from one batch-1 run. */
    private Map<String, TensorInfo> probe(List<TensorInfo> inputs, List<SiteFinder.Found> found) throws OrtException {
        Set<String> open = new TreeSet<>();
        for (SiteFinder.Found f : found) {
            for (String t : List.of(f.preactivation(), f.coded())) {
                long[] s = graph.declaredShape(t);
                if (s == null || Arrays.stream(s).skip(1).anyMatch(d -> d < 0)) {
                    open.add(t);
                }
            }
        }
        boolean staticInputs = inputs.stream().allMatch(i -> Arrays.stream(i.shape()).skip(1).allMatch(d -> d > 0));
        if (open.isEmpty() || !staticInputs) {
            return Map.of();
        }
        Map<String, Tensor> zeros = new HashMap<>();
        for (TensorInfo i : inputs) {
            long[] shape = i.shape().clone();
            if (shape.length > 0) {
                shape[0] = 1;
            }
            zeros.put(i.name(), new Tensor(shape, new float[Math.toIntExact(Tensor.size(shape))]));
        }
        Map<String, Tensor> out = compute(zeros, open);
        Map<String, TensorInfo> probed = new HashMap<>();
        // Types of the probed tensors are not needed for sites; float is what the coders consume.
        out.forEach((name, t) -> probed.put(name, new TensorInfo(name, "float", t.shape())));
        return probed;
    }

    /**
     * The site's shape is its pre-activation's; its neurons are the elements of the coded tensor
     * (the same tensor, except for MaxPool: the pool's output, one code group per output element).
     */
    private ActivationSite site(SiteFinder.Found f) {
        long[] shape = pointShape(f.preactivation());
        long[] coded = f.coded().equals(f.preactivation()) ? shape : pointShape(f.coded());
        long neurons = 1;
        for (long d : coded) {
            neurons = d < 0 || neurons < 0 ? -1 : neurons * d;
        }
        return new ActivationSite(f.name(), f.op(), f.kind(), f.preactivation(), shape, neurons, f.attributes());
    }

    /** A tensor's shape without the batch axis (probed, else declared, else {@code [-1]}). */
    private long[] pointShape(String tensor) {
        long[] full = probed.containsKey(tensor) ? probed.get(tensor).shape() : graph.declaredShape(tensor);
        return full == null ? new long[] {-1} : Arrays.copyOfRange(full, Math.min(1, full.length), full.length);
    }

    private TensorInfo declaredInfo(String name) {
        String dtype = graph.dtype(name);
        long[] shape = graph.declaredShape(name);
        return new TensorInfo(name, dtype == null ? "undefined" : dtype, shape == null ? new long[0] : shape);
    }

    private void checkNames(String what, Collection<String> names) {
        List<String> unknown = new ArrayList<>();
        for (String n : names) {
            if (!tensorNames.contains(n)) {
                unknown.add(n);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        // Most useful first: inputs, pre-activations of sites, outputs, then the rest.
        LinkedHashSet<String> valid = new LinkedHashSet<>();
        info().inputs().forEach(t -> valid.add(t.name()));
        info().sites().forEach(s -> valid.add(s.preactivation()));
        info().outputs().forEach(t -> valid.add(t.name()));
        valid.addAll(tensorNames);
        List<String> shown = valid.stream().limit(MAX_NAMES_IN_ERRORS).toList();
        String more = valid.size() > shown.size()
                ? " ... and " + (valid.size() - shown.size()) + " more (see info().tensors())"
                : "";
        throw new IllegalArgumentException("cannot " + what + " unknown tensor(s) " + unknown + " in " + source
                + "; valid tensors: " + shown + more);
    }

    private void checkBatches(Map<String, Tensor> feeds) {
        Integer rows = null;
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("feed '" + e.getKey() + "' is null");
            }
            int r = e.getValue().rows();
            if (rows != null && r != rows) {
                throw new IllegalArgumentException("feeds of " + source + " disagree on the batch size: "
                        + feeds.entrySet().stream().map(f -> f.getKey() + Arrays.toString(f.getValue().shape())).toList());
            }
            rows = r;
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sessions.close();
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "OnnxModel[" + source + "]";
    }
}
