package org.polytopelens.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.polytopelens.api.Model;
import org.polytopelens.api.SignCodes;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.onnx.graph.Affinity;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;
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
 *
 * <p>Sequence models (one point per token position, METHODS.md). <em>Token inputs</em> are
 * integer inputs of shape {@code [batch, seq]} with a dynamic {@code seq} (BERT's
 * {@code input_ids}, {@code attention_mask}, {@code token_type_ids}; all share one sequence
 * length). When the model has token inputs and its other inputs are static apart from the batch
 * axis, two probe runs with batch 1 and sequence lengths {@value #PROBE_SEQ} and
 * {@value #PROBE_SEQ_2} measure the open shapes (token values: 1 for inputs named like
 * {@code *mask*}, positions 0.. for {@code *position*}, else 0, valid for any vocabulary); an axis
 * whose size differs between the runs stays -1. A pre-activation of rank &gt;= 3 whose axis 1
 * follows the sequence length and whose other axes after the batch axis are fixed, i.e. of
 * shape {@code [batch, seq, d...]}, is coded per token: the site's {@code shape} is the
 * per-token shape {@code [d...]}, {@code neurons} its product, and its attributes carry
 * {@code "sequence_axis" = 1L}. A caller turns a fetched {@code [B, S, d...]} pre-activation into
 * {@code B*S} points of {@code [d...]} (a row-major reshape: the data is already in that order)
 * and drops the positions whose attention mask is 0. Pre-activations with other
 * sequence-dependent axes (e.g. attention scores {@code [batch, heads, seq, seq]}) keep -1 there
 * and no {@code sequence_axis}. If the probe runs fail (a model that cannot run on such tokens),
 * the shapes stay as declared. {@link #run} accepts token inputs as float {@link Tensor}s
 * ({@link Tensors} converts them to the session's int64, exact for ids below 2^24).
 */
final class OnnxModel implements Model {
    private static final int MAX_NAMES_IN_ERRORS = 40;
    /** Sequence lengths of the two probe runs of a model with token inputs (distinct, small). */
    static final int PROBE_SEQ = 8;
    static final int PROBE_SEQ_2 = 5;
    /** The attribute marking a per-token site: the axis of its pre-activation that runs over tokens. */
    static final String SEQUENCE_AXIS = "sequence_axis";

    private final String source;
    private final ModelProto proto;
    private final GraphIndex graph;
    private final Set<String> tensorNames;
    private final OrtEnvironment env;
    private final Options options;
    private final SessionCache<Key, Prepared> sessions;
    private final Map<String, TensorInfo> probed;
    /** Probed tensors of shape {@code [batch, seq, d...]}: coded per token. */
    private final Set<String> perToken = new HashSet<>();
    private final ModelInfo info;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * For each site's pre-activation, the tensor whose sign equals its sign: a Relu's output
     * (thresholding it leaves Conv+Relu fusable), else the pre-activation itself.
     */
    private final Map<String, String> signSources = new HashMap<>();
    /** Prefix of the boolean outputs {@code Greater(source, 0)} added for {@link #signCodes()}. */
    static final String SIGN = "__polytopelens_sign__/";
    /** Per-thread direct memory that pinned sign outputs (floats or booleans) are written into. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();
    /** Above this many bytes of floats per call (64 M floats), {@link #signs} fetches booleans (a quarter of the memory). */
    static final long FLOAT_SCRATCH_LIMIT = 256L << 20;
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
            if (!found.isEmpty()) {
                SimdSigns.warmUp(); // sign codes will likely be asked for: compile their kernel meanwhile
            }
            for (SiteFinder.Found f : found) {
                boolean relu = f.op().equals("Relu") && graph.nodes.get(f.node()).getOutputCount() == 1;
                signSources.putIfAbsent(f.preactivation(), relu ? graph.nodes.get(f.node()).getOutput(0) : f.preactivation());
            }
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
        checkShapes(feeds);

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

    @Override
    public boolean isAffine(String from, String to) {
        checkNames("tensor", List.of(from, to));
        List<Affinity.Node> nodes = graph.nodes.stream()
                .map(n -> new Affinity.Node(n.getOpType(), n.getInputList(), n.getOutputList(),
                        n.getAttributeList().stream().collect(java.util.stream.Collectors.toMap(AttributeProto::getName, a -> a, (a, b) -> a))))
                .toList();
        return Affinity.affine(nodes, graph.initializers.keySet(), graph.inputs.stream().map(ValueInfoProto::getName).toList(), from, to);
    }

    @Override
    public Optional<SignCodes> signCodes() {
        return Optional.of(signCodes(SimdSigns.AVAILABLE));
    }

    /** Sign codes by one route, so tests can compare both: floats packed here (needs {@link SimdSigns}), or booleans from the graph. */
    SignCodes signCodes(boolean floats) {
        if (floats && !SimdSigns.AVAILABLE) {
            throw new IllegalStateException("packing floats needs the Vector API (--add-modules jdk.incubator.vector)");
        }
        return (feed, points, sites) -> signs(feed, points, sites, floats);
    }

    /**
     * Codes "pre-activation > 0" per site from its sign source (a Relu's output, else the
     * pre-activation), which ONNX Runtime writes straight into direct memory we own (pinned
     * outputs, no copy into Java buffers). With the Vector API ({@link SimdSigns}) the floats are
     * fetched and packed here: a Relu's output costs ONNX Runtime nothing extra. Without it, or
     * when the floats of one call would pass {@link #FLOAT_SCRATCH_LIMIT}, or a sign source is the
     * feed itself, the graph computes {@code Greater(source, 0)} and hands out one byte per neuron.
     */
    private SplineCodes signs(String feed, Tensor points, List<ActivationSite> sites, boolean packFloats) throws OrtException {
        if (closed.get()) {
            throw new IllegalStateException("model " + source + " is closed");
        }
        checkNames("feed", List.of(feed));
        checkShapes(Map.of(feed, points));
        long bits = 0;
        for (ActivationSite s : sites) {
            if (!signSources.containsKey(s.preactivation()) || s.neurons() < 0 || s.attributes().containsKey(SEQUENCE_AXIS)) {
                throw new IllegalArgumentException("site '" + s.name() + "' of " + source + " has no static per-point shape to code in the graph");
            }
            bits += s.neurons();
        }
        int n = points.rows();
        int width = Math.toIntExact(bits);
        int wpr = SplineCodes.wordsPerRow(width);
        long[] words = new long[Math.multiplyExact(n, wpr)];
        if (n == 0) {
            return new SplineCodes(0, width, words);
        }
        boolean floats = packFloats && 4L * n * width <= FLOAT_SCRATCH_LIMIT
                && sites.stream().noneMatch(s -> signSources.get(s.preactivation()).equals(feed));
        int bytesPer = floats ? 4 : 1;
        Set<String> fetches = new LinkedHashSet<>();
        for (ActivationSite s : sites) {
            fetches.add(signFetch(s, floats));
        }
        // One scratch buffer per thread, grown as needed.
        ByteBuffer scratch = SCRATCH.get();
        long need = (long) n * width * bytesPer;
        if (scratch == null || scratch.capacity() < need) {
            scratch = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(need, 1 << 16))).order(ByteOrder.nativeOrder());
            SCRATCH.set(scratch);
        }
        Map<String, ByteBuffer> slices = new LinkedHashMap<>();
        Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
        Map<String, OnnxTensor> in = new HashMap<>();
        try (SessionCache<Key, Prepared>.Lease lease = lease(new TreeSet<>(List.of(feed)), new TreeSet<>(fetches))) {
            Prepared p = lease.value();
            int at = 0;
            for (ActivationSite s : sites) {
                String name = signFetch(s, floats);
                if (slices.containsKey(name)) {
                    continue;
                }
                int bytes = Math.toIntExact((long) n * s.neurons() * bytesPer);
                ByteBuffer slice = scratch.slice(at, bytes).order(ByteOrder.nativeOrder());
                at += bytes;
                long[] shape = new long[s.shape().length + 1];
                shape[0] = n;
                System.arraycopy(s.shape(), 0, shape, 1, s.shape().length);
                slices.put(name, slice);
                pinned.put(name, floats ? OnnxTensor.createTensor(env, slice.asFloatBuffer(), shape)
                        : OnnxTensor.createTensor(env, slice, shape, OnnxJavaType.BOOL));
            }
            for (Map.Entry<String, OnnxJavaType> e : p.inputTypes().entrySet()) {
                in.put(e.getKey(), Tensors.toOrt(env, e.getKey(), points, e.getValue()));
            }
            try (OrtSession.Result r = p.session().run(in, pinned)) {
                int offset = 0;
                for (ActivationSite s : sites) {
                    int k = Math.toIntExact(s.neurons());
                    ByteBuffer slice = slices.get(signFetch(s, floats));
                    if (floats) {
                        SimdSigns.packPositive(slice, n, k, words, wpr, offset);
                    } else {
                        Tensors.packBools(slice, n, k, words, wpr, offset);
                    }
                    offset += k;
                }
            }
        } catch (OrtException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            in.values().forEach(OnnxTensor::close);
            pinned.values().forEach(OnnxTensor::close);
        }
        return new SplineCodes(n, width, words);
    }

    /** What {@link #signs} fetches for a site: its sign source's floats, or the in-graph {@code Greater}'s booleans. */
    private String signFetch(ActivationSite s, boolean floats) {
        return floats ? signSources.get(s.preactivation()) : SIGN + s.preactivation();
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
        List<String> plain = new ArrayList<>();
        List<String> signs = new ArrayList<>();
        for (String f : key.fetches()) {
            (f.startsWith(SIGN) ? signs : plain).add(f);
        }
        Set<String> cutFetches = new LinkedHashSet<>(plain);
        signs.forEach(f -> cutFetches.add(signSources.get(f.substring(SIGN.length()))));
        GraphSurgery.Cut cut = GraphSurgery.cut(proto, graph, new LinkedHashSet<>(key.feeds()), cutFetches,
                probed == null ? Map.of() : probed);
        if (!signs.isEmpty()) {
            cut = new GraphSurgery.Cut(GraphSurgery.withSigns(cut.model(), plain, signs, SIGN.length(),
                    pre -> signSources.get(pre)), cut.inputs());
        }
        OrtSession session;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            if (options.threads() > 0) {
                o.setIntraOpNumThreads(options.threads());
            }
            // Idle intra-op threads sleep instead of spinning: the engine's other shards need the
            // cores (100,000 CNN codes with threads=0: 2.34-2.39 s spinning, 1.69-1.76 s not).
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
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

    /**
     * Shapes of the sites' pre-activations that the declarations leave open: one batch-1 run on
     * zeros for a model whose inputs are static apart from the batch axis, two runs of different
     * sequence lengths for a model with token inputs (see the class comment).
     */
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
        boolean sequence = inputs.stream().anyMatch(OnnxModel::isTokenInput);
        boolean staticInputs = inputs.stream()
                .allMatch(i -> isTokenInput(i) || Arrays.stream(i.shape()).skip(1).allMatch(d -> d > 0));
        if (open.isEmpty() || !staticInputs) {
            return Map.of();
        }
        Map<String, TensorInfo> probed = new HashMap<>();
        if (!sequence) {
            // Types of the probed tensors are not needed for sites; float is what the coders consume.
            compute(probeFeeds(inputs, 0), open).forEach((name, t) -> probed.put(name, new TensorInfo(name, "float", t.shape())));
            return probed;
        }
        Map<String, Tensor> a;
        Map<String, Tensor> b;
        try {
            a = compute(probeFeeds(inputs, PROBE_SEQ), open);
            b = compute(probeFeeds(inputs, PROBE_SEQ_2), open);
        } catch (OrtException | RuntimeException e) {
            return Map.of(); // e.g. a graph that needs real token values: shapes stay as declared
        }
        for (Map.Entry<String, Tensor> e : a.entrySet()) {
            long[] sa = e.getValue().shape();
            long[] sb = b.get(e.getKey()).shape();
            if (sa.length != sb.length) {
                continue;
            }
            long[] shape = sa.clone();
            boolean fixedAfterSeq = true;
            for (int k = 1; k < shape.length; k++) {
                if (sa[k] != sb[k]) {
                    shape[k] = -1;
                    fixedAfterSeq &= k == 1;
                }
            }
            if (shape.length >= 3 && sa[1] == PROBE_SEQ && sb[1] == PROBE_SEQ_2 && fixedAfterSeq) {
                perToken.add(e.getKey());
            }
            probed.put(e.getKey(), new TensorInfo(e.getKey(), "float", shape));
        }
        return probed;
    }

    /** An integer input {@code [batch, seq]} with a dynamic sequence axis: token ids, masks, type ids, positions. */
    static boolean isTokenInput(TensorInfo i) {
        return i.shape().length == 2 && i.shape()[1] < 0 && INTEGER_TYPES.contains(i.dtype());
    }

    private static final Set<String> INTEGER_TYPES = Set.of("int64", "int32", "int16", "int8", "uint8", "bool");

    /**
     * Batch-1 feeds for a probe: zeros of the declared shape; token inputs get {@code seq}
     * positions of 1 (masks), 0, 1, ... (positions) or 0 (ids, type ids), valid for any vocabulary.
     */
    private static Map<String, Tensor> probeFeeds(List<TensorInfo> inputs, int seq) {
        Map<String, Tensor> feeds = new HashMap<>();
        for (TensorInfo i : inputs) {
            long[] shape = i.shape().clone();
            if (shape.length > 0) {
                shape[0] = 1;
            }
            float[] data;
            if (isTokenInput(i)) {
                shape[1] = seq;
                data = new float[seq];
                String n = i.name().toLowerCase(java.util.Locale.ROOT);
                for (int k = 0; k < seq; k++) {
                    data[k] = n.contains("mask") ? 1 : n.contains("position") ? k : 0;
                }
            } else {
                data = new float[Math.toIntExact(Tensor.size(shape))];
            }
            feeds.put(i.name(), new Tensor(shape, data));
        }
        return feeds;
    }

    /**
     * The site's shape is its pre-activation's; its neurons are the elements of the coded tensor
     * (the same tensor, except for MaxPool: the pool's output, one code group per output element).
     * A per-token site (both tensors {@code [batch, seq, d...]}) counts one token's elements.
     */
    private ActivationSite site(SiteFinder.Found f) {
        boolean token = perToken.contains(f.preactivation()) && perToken.contains(f.coded());
        int leading = token ? 2 : 1;
        long[] shape = pointShape(f.preactivation(), leading);
        long[] coded = f.coded().equals(f.preactivation()) ? shape : pointShape(f.coded(), leading);
        long neurons = 1;
        for (long d : coded) {
            neurons = d < 0 || neurons < 0 ? -1 : neurons * d;
        }
        Map<String, Object> attributes = f.attributes();
        if (token) {
            attributes = new LinkedHashMap<>(attributes);
            attributes.put(SEQUENCE_AXIS, 1L);
        }
        return new ActivationSite(f.name(), f.op(), f.kind(), f.preactivation(), shape, neurons, attributes);
    }

    /**
     * A tensor's shape without its {@code leading} axes (batch, or batch and sequence), probed, else
     * declared, else {@code [-1]}.
     */
    private long[] pointShape(String tensor, int leading) {
        long[] full = probed.containsKey(tensor) ? probed.get(tensor).shape() : graph.declaredShape(tensor);
        return full == null ? new long[] {-1} : Arrays.copyOfRange(full, Math.min(leading, full.length), full.length);
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
        String hint = unknown.size() == 1 ? ModelInfo.didYouMean(unknown.get(0), tensorNames) : "";
        throw new IllegalArgumentException("cannot " + what + " unknown tensor(s) " + unknown + " in " + source + hint
                + "; valid tensors: " + shown + more);
    }

    /**
     * A graph input fed with points of the wrong shape would fail deep in ONNX Runtime with its
     * own message; say here what the model takes instead. Dynamic axes (-1) match anything.
     */
    private void checkShapes(Map<String, Tensor> feeds) {
        for (TensorInfo in : info().inputs()) {
            Tensor t = feeds.get(in.name());
            if (t == null || in.shape().length == 0) {
                continue;
            }
            long[] want = in.shape();
            long[] got = t.shape();
            boolean ok = want.length == got.length;
            for (int i = 1; ok && i < want.length; i++) {
                ok = want[i] < 0 || want[i] == got[i];
            }
            if (!ok) {
                long[] point = Arrays.copyOfRange(want, 1, want.length);
                long values = 1;
                for (long d : point) {
                    values = d < 0 ? -1 : values * d;
                }
                throw new IllegalArgumentException("input '" + in.name() + "' of " + source + " takes " + in.dtype() + " points of shape "
                        + Arrays.toString(point).replace("-1", "?") + (values > 0 ? " (" + values + " values)" : "") + ", got a batch of shape "
                        + Arrays.toString(got) + ", i.e. points of shape " + Arrays.toString(Arrays.copyOfRange(got, 1, got.length)));
            }
        }
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
