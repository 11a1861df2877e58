package org.polytopelens.analysis.slice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.benchmarks.Workspace;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.internal.LayerEncoder;
import org.polytopelens.core.internal.ParallelEngine;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * The 2D slice of issue 4's target: the sample CNN ({@code samples/models/mnist-cnn.onnx}: conv 8,
 * maxpool, conv 16, maxpool, fc 64, fc 10) on ONNX Runtime, cut at {@code pool1.out} (the input of
 * the second convolution), the plane through MNIST digits 0, 1, 2 of {@code
 * samples/data/mnist-1k.npy} with margin 0.25, an N x N grid, the codes of the downstream ReLUs
 * (2,000 bits) and each pixel's Hamming distance to its right and lower neighbours: the analysis'
 * own {@code SliceAnalysis.slice} on the core's engine with two threads and the analysis' default
 * 16 rows per shard. Each run writes its image to {@code target/bench-work/slice-N-WHICH.npy}, for a
 * comparison with {@code benchmarks/python/slice_torch.py}'s (same model, digits and geometry).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SliceBenchmark {
    static final String MODEL = "samples/models/mnist-cnn.onnx", LAYER = "pool1.out";

    @Param({"1024"})
    public int n;

    /** ONNX Runtime intra-op threads (the backend's {@code threads}: 1, its default since session 5; 0 = one per core). */
    @Param({"1"})
    public int ortThreads;

    private Model model;
    private LayerEncoder encoder;
    private Plane plane;
    private ParallelEngine engine;
    private long[] shape;
    private SliceAnalysis.Strip last;
    private SliceAnalysis.Feed feed;
    private String which;

    @Setup
    public void setUp() throws Exception {
        Path file = Workspace.find(MODEL);
        if (file == null) {
            throw new IllegalStateException(MODEL + " not found upwards from " + Path.of("").toAbsolutePath() + ": run from the checkout");
        }
        model = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.of(Map.of("threads", ortThreads)));
        encoder = LayerEncoder.plan(model, LAYER, null, List.of(new ReluCoder()), "input", line -> System.out.println("# " + line));
        float[] digits = Workspace.digits(3, 1);
        Tensor pool1 = model.run(Map.of("input", Tensor.batch(3, new long[] {1, 28, 28}, digits)), List.of(LAYER)).get(LAYER);
        shape = pool1.pointShape();
        plane = Plane.of(pool1.row(0), pool1.row(1), pool1.row(2), n, 0.25, new String[] {"digit 0", "digit 1", "digit 2"});
        engine = new ParallelEngine(2);
        feed = SliceAnalysis.feed(model, encoder, plane, LAYER, shape, line -> System.out.println("# " + line));
        System.out.println("# slice " + n + " x " + n + " at " + LAYER + " " + java.util.Arrays.toString(shape) + ", " + encoder.layout().bits()
                + " bits, codes in the backend: " + encoder.codesInBackend());
    }

    @TearDown
    public void close() throws Exception {
        if (last != null) {
            Path out = Workspace.home().resolve("bench-work").resolve("slice-" + n + "-" + which + ".npy");
            Files.createDirectories(out.getParent());
            try (var os = Files.newOutputStream(out)) {
                NpyWriter w = NpyWriter.to(os, NpyDtype.FLOAT32, new long[] {n, n});
                w.append(last.distances());
                w.close();
            }
            double sum = 0;
            for (float v : last.distances()) {
                sum += v;
            }
            System.out.printf("# image: mean %.4f, %d distinct codes; written to %s%n", sum / ((double) n * n), last.codes().size(), out);
        }
        engine.close();
        model.close();
    }

    /** The analysis: the grid fed where {@code SliceAnalysis.feed} decides (at conv2.out, the affine shortcut). */
    @Benchmark
    public SliceAnalysis.Strip slice() {
        which = "shortcut";
        last = SliceAnalysis.slice(engine, Progress.NONE, feed.encoder(), feed.plane(), feed.shape(), 16);
        return last;
    }

    /** Control: the grid fed at the layer itself (every point through conv2), as before the shortcut. */
    @Benchmark
    public SliceAnalysis.Strip direct() {
        which = "direct";
        last = SliceAnalysis.slice(engine, Progress.NONE, encoder, plane, shape, 16);
        return last;
    }
}
