package org.polytopelens.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.internal.LayerEncoder;

/**
 * Issue 3's code-extraction target: spline codes of batches of 256 MNIST digits through the
 * small CNN ({@link Cnn}, 7,408 ReLU bits) at >= 0.9x the throughput of plain ONNX Runtime
 * inference of the same model and batch. Scores are points per second.
 *
 * <ul>
 *   <li>{@code ortSession}: the baseline, a bare {@code OrtSession} on the model file computing its output;
 *   <li>{@code backendOutput}: the same through the workbench's ONNX Runtime backend ({@code Model.run});
 *   <li>{@code backendPreactivations}: the backend fetching the three ReLU pre-activations, not coding them;
 *   <li>{@code encoderCodes}: what the {@code codes} analysis does per batch: the core's
 *       {@link LayerEncoder} with the ReLU coder, giving bit-packed codes;
 *   <li>{@code coding}: the coding step alone (ReLU coder + concatenation) on pre-activations fetched once;
 *   <li>{@code codingBranchless}: the same with {@link PackingPrototype}, a branch-free packing loop (not the workbench);
 *   <li>{@code ortPackedCodes}: codes thresholded and packed inside the ONNX graph (not the workbench; see
 *       {@link Cnn#writeWithPackedCodes}), the suggested fix.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodeExtractionBenchmark {
    static final int BATCH = 256;
    /** Points per batch actually run: {@link #BATCH} (JMH scores assume it); {@code -Dcodes.batch=N} for {@link PairedCodeExtraction}. */
    static final int POINTS = Integer.getInteger("codes.batch", BATCH);
    private static final int BATCHES = 3;

    /** ONNX Runtime intra-op threads for both the bare session and the backend; 0 = one per core. */
    @Param("0")
    public int threads;

    private Path dir;
    private Model model;
    private LayerEncoder encoder;
    private OrtEnvironment env;
    private OrtSession session;
    private OrtSession packedSession;
    private Set<String> packedOutputs;
    private Tensor[] batches;
    private int next;
    private ReluCoder coder;
    private Map<String, Tensor> fetched;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Workspace.scratch("cnn");
        Path file = Cnn.write(dir.resolve("cnn.onnx"), 3);
        float[] digits = Workspace.digits(POINTS * BATCHES, 3);
        batches = new Tensor[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            float[] x = new float[POINTS * Workspace.PIXELS];
            System.arraycopy(digits, b * x.length, x, 0, x.length);
            batches[b] = Tensor.batch(POINTS, new long[] {1, 28, 28}, x);
        }

        model = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.of(Map.of("threads", threads)));
        List<ActivationCoder> coders = List.of(new ReluCoder());
        encoder = LayerEncoder.plan(model, "", null, coders, Cnn.INPUT, line -> System.out.println("# " + line));
        int bits = encoder.layout().bits();
        System.out.println("# sites " + encoder.sites().stream().map(s -> s.name() + ":" + s.neurons()).toList()
                + ", ReLU bits per point: " + bits);
        if (bits != Cnn.BITS) {
            throw new IllegalStateException("the CNN should have " + Cnn.BITS + " ReLU bits, the encoder codes " + bits);
        }
        coder = new ReluCoder();
        fetched = model.run(Map.of(Cnn.INPUT, batches[0]), Cnn.PREACTIVATIONS);
        check(encoder.hard(batches[0]), fetched);
        check(coding(), fetched);
        if (!codingBranchless().equals(coding())) {
            throw new IllegalStateException("the branch-free packing prototype disagrees with the ReLU coder");
        }

        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT); // the backend's default
            if (threads > 0) {
                o.setIntraOpNumThreads(threads);
            }
            session = env.createSession(Files.readAllBytes(file), o);
            Path packedFile = Cnn.writeWithPackedCodes(dir.resolve("cnn-packed.onnx"), 3);
            packedSession = env.createSession(Files.readAllBytes(packedFile), o);
        }
        packedOutputs = new LinkedHashSet<>();
        Cnn.PREACTIVATIONS.forEach(p -> packedOutputs.add(Cnn.packed(p)));
        int next0 = next;
        next = 0;
        if (!ortPackedCodes().equals(encoder.hard(batches[0]))) {
            throw new IllegalStateException("codes packed in the graph differ from the encoder's");
        }
        next = next0;
    }

    /** The codes are the signs of the fetched pre-activations, site after site: what is timed is right. */
    private static void check(SplineCodes codes, Map<String, Tensor> pre) {
        for (int r = 0; r < codes.count(); r += 37) {
            int bit = 0;
            for (String p : Cnn.PREACTIVATIONS) {
                float[] z = pre.get(p).row(r);
                for (float v : z) {
                    if (codes.get(r, bit++) != (v > 0)) {
                        throw new IllegalStateException("code bit " + (bit - 1) + " of point " + r + " disagrees with " + p);
                    }
                }
            }
        }
    }

    private Tensor batch() {
        Tensor t = batches[next];
        next = (next + 1) % BATCHES;
        return t;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float[] ortSession() throws Exception {
        Tensor x = batch();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), x.shape());
                OrtSession.Result r = session.run(Map.of(Cnn.INPUT, in))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] y = new float[b.remaining()];
            b.get(y);
            return y;
        }
    }

    /** Prototype sessions by name (ReLU floats, Cast to bool, Greater), created on first use. */
    private final Map<String, OrtSession> prototypes = new java.util.HashMap<>();
    private java.nio.ByteBuffer pinnedOut;

    /**
     * Prototype, not the workbench: the ReLU outputs (floats; Conv+Relu stays fused) written by
     * ONNX Runtime into pinned direct buffers, not packed: what ONNX Runtime costs to hand out the
     * 7,408 values a point.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ortReluPinnedNoPack() throws Exception {
        return pinned("relu", Cnn.ACTIVATIONS, ai.onnxruntime.OnnxJavaType.FLOAT);
    }

    /** Prototype: {@code Cast(relu_out, bool)} in the graph into pinned buffers, not packed. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ortCastPinnedNoPack() throws Exception {
        return pinned("cast", Cnn.ACTIVATIONS.stream().map(a -> a + ".cast").toList(), ai.onnxruntime.OnnxJavaType.BOOL);
    }

    /** The same with {@code Greater(relu_out, 0)}, what the backend computes. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ortGreaterPinnedNoPack() throws Exception {
        return pinned("greater", Cnn.ACTIVATIONS.stream().map(a -> a + ".greater").toList(), ai.onnxruntime.OnnxJavaType.BOOL);
    }

    /** Runs prototype {@code name}, its three per-site outputs written into one pinned direct buffer. */
    private long pinned(String name, List<String> outputs, ai.onnxruntime.OnnxJavaType type) throws Exception {
        Tensor x = batch();
        int n = x.rows(), bytesPer = type == ai.onnxruntime.OnnxJavaType.FLOAT ? 4 : 1;
        OrtSession s = prototypes.get(name);
        if (s == null) {
            Path file = dir.resolve("cnn-" + name + ".onnx");
            s = prototypeSession(name.equals("relu") ? Cnn.writeWithReluOutputs(file, 3) : Cnn.writeWithBoolOutputs(file, 3, name.equals("cast")));
            prototypes.put(name, s);
        }
        if (pinnedOut == null || pinnedOut.capacity() < 4 * n * Cnn.BITS) {
            pinnedOut = java.nio.ByteBuffer.allocateDirect(4 * n * Cnn.BITS).order(java.nio.ByteOrder.nativeOrder());
        }
        long[][] shapes = {{n, 8, 26, 26}, {n, 16, 11, 11}, {n, 64}};
        Map<String, ai.onnxruntime.OnnxValue> pinned = new java.util.LinkedHashMap<>();
        int at = 0;
        try {
            for (int k = 0; k < 3; k++) {
                int bytes = n * Cnn.NEURONS[k] * bytesPer;
                java.nio.ByteBuffer slice = pinnedOut.slice(at, bytes).order(java.nio.ByteOrder.nativeOrder());
                pinned.put(outputs.get(k), bytesPer == 4 ? OnnxTensor.createTensor(env, slice.asFloatBuffer(), shapes[k])
                        : OnnxTensor.createTensor(env, slice, shapes[k], type));
                at += bytes;
            }
            try (OnnxTensor in = OnnxTensor.createTensor(env, directFeed(x), x.shape());
                    OrtSession.Result r = s.run(Map.of(Cnn.INPUT, in), pinned)) {
                return pinnedOut.get(7);
            }
        } finally {
            for (ai.onnxruntime.OnnxValue v : pinned.values()) {
                v.close();
            }
        }
    }

    /** The batch copied into the reused direct buffer. */
    private FloatBuffer directFeed(Tensor x) {
        if (direct == null || direct.capacity() < 4 * x.data().length) {
            direct = java.nio.ByteBuffer.allocateDirect(4 * x.data().length).order(java.nio.ByteOrder.nativeOrder());
        }
        FloatBuffer f = direct.asFloatBuffer();
        f.put(x.data()).flip();
        return f;
    }

    /** A session on a prototype model, with the baseline's options. */
    private OrtSession prototypeSession(Path file) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                o.setIntraOpNumThreads(threads);
            }
            return env.createSession(Files.readAllBytes(file), o);
        }
    }


    /** Reused by {@link #ortSessionDirect} (one benchmark thread). */
    private java.nio.ByteBuffer direct;

    /**
     * (a') The baseline with the input copied into a reused direct buffer, which ONNX Runtime reads
     * in place (a heap buffer makes its binding allocate, zero and fill a direct one per call): the
     * fastest feed plain ONNX Runtime offers, and the one the workbench's backend uses.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float[] ortSessionDirect() throws Exception {
        Tensor x = batch();
        FloatBuffer f = directFeed(x);
        try (OnnxTensor in = OnnxTensor.createTensor(env, f, x.shape());
                OrtSession.Result r = session.run(Map.of(Cnn.INPUT, in))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] y = new float[b.remaining()];
            b.get(y);
            return y;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<String, Tensor> backendOutput() throws Exception {
        return model.run(Map.of(Cnn.INPUT, batch()), List.of(Cnn.OUTPUT));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Map<String, Tensor> backendPreactivations() throws Exception {
        return model.run(Map.of(Cnn.INPUT, batch()), Cnn.PREACTIVATIONS);
    }

    /** The backend's sign codes alone (what {@link #encoderCodes} calls), without the encoder around it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SplineCodes backendSigns() throws Exception {
        return model.signCodes().orElseThrow().codes(Cnn.INPUT, batch(), encoder.sites());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SplineCodes encoderCodes() throws Exception {
        return encoder.hard(batch());
    }

    /**
     * The coding step alone, on pre-activations fetched at setup: the ReLU coder per site and the
     * concatenation, as {@link LayerEncoder#hard} does after the model has run (no ONNX Runtime).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SplineCodes coding() {
        List<ActivationSite> sites = encoder.sites();
        List<SplineCodes> parts = new ArrayList<>(sites.size());
        for (ActivationSite s : sites) {
            parts.add(coder.hard(s, fetched.get(s.preactivation())));
        }
        return SplineCodes.concatBits(parts);
    }

    /** Not the workbench: {@link #coding} with {@link PackingPrototype}, the suggested fix, for comparison. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SplineCodes codingBranchless() {
        List<ActivationSite> sites = encoder.sites();
        List<SplineCodes> parts = new ArrayList<>(sites.size());
        for (ActivationSite s : sites) {
            parts.add(PackingPrototype.above(fetched.get(s.preactivation()), 0f));
        }
        return SplineCodes.concatBits(parts);
    }

    /**
     * Not the workbench: the suggested fix for the target, measured. A bare session on the CNN
     * with in-graph packed codes ({@link Cnn#writeWithPackedCodes}) fetches 1 bit per neuron and
     * Java only lays the bytes of the three sites side by side into {@link SplineCodes} words
     * (every site's width is a multiple of 8, so no bit shifting).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public SplineCodes ortPackedCodes() throws Exception {
        Tensor x = batch();
        int n = x.rows();
        int wpr = SplineCodes.wordsPerRow(Cnn.BITS);
        byte[] rows = new byte[n * wpr * 8];
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), x.shape());
                OrtSession.Result r = packedSession.run(Map.of(Cnn.INPUT, in), packedOutputs)) {
            int offset = 0;
            for (int s = 0; s < Cnn.PREACTIVATIONS.size(); s++) {
                ByteBuffer b = ((OnnxTensor) r.get(s)).getByteBuffer();
                int bytes = Cnn.NEURONS[s] / 8;
                for (int p = 0; p < n; p++) {
                    b.get(rows, p * wpr * 8 + offset, bytes);
                }
                offset += bytes;
            }
        }
        long[] words = new long[n * wpr];
        ByteBuffer.wrap(rows).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
        return new SplineCodes(n, Cnn.BITS, words);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (session != null) {
            session.close();
        }
        if (packedSession != null) {
            packedSession.close();
        }
        for (OrtSession s : prototypes.values()) {
            s.close();
        }
        if (model != null) {
            model.close();
        }
        Scratch.delete(dir);
    }
}
