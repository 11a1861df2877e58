package org.polytopelens.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.backend.nd4j.Nd4jBackend;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/**
 * Issue 3's exact-geometry target: the ND4J backend's exact walk ({@link PiecewiseLinear#walk})
 * of a segment crossing ~50 boundaries of a 784-128-64-10 ReLU MLP (seeded random weights) in
 * under 5 ms. The segment starts at one MNIST digit and points at another; its length is scaled
 * at setup until the walk crosses {@code crossings} +- 4% boundaries (the count is printed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WalkBenchmark {
    /** Boundaries the walked segment should cross (to within 4%). */
    @Param("50")
    public int crossings;

    private Path dir;
    private Model model;
    private PiecewiseLinear pl;
    private float[] a;
    private float[] b;
    private ReferenceWalk reference;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Workspace.javacppCache();
        dir = Workspace.scratch("mlp");
        Mlp mlp = OnnxModelBuilder.mlp(5, 784, 128, 64, 10);
        model = new Nd4jBackend(Map.of()).open(mlp.save(dir.resolve("mlp.onnx")), Parameters.empty());
        pl = model.piecewiseLinear().orElseThrow();

        float[] digits = Workspace.digits(2, 5);
        a = Arrays.copyOfRange(digits, 0, Workspace.PIXELS);
        float[] towards = Arrays.copyOfRange(digits, Workspace.PIXELS, 2 * Workspace.PIXELS);
        int lo = (int) Math.floor(crossings * 0.96);
        int hi = (int) Math.ceil(crossings * 1.04);
        // The count grows with the length (not strictly): bisect the scale s of b = a + s (towards - a).
        double s = 1;
        double below = 0;
        double above = Double.POSITIVE_INFINITY;
        int n = -1;
        for (int tries = 0; tries < 60; tries++) {
            b = end(a, towards, s);
            n = pl.walk(Mlp.INPUT, a, b, List.of()).size();
            if (n >= lo && n <= hi) {
                break;
            }
            if (n < lo) {
                below = s;
            } else {
                above = s;
            }
            s = above == Double.POSITIVE_INFINITY ? s * 2 : (below + above) / 2;
        }
        if (n < lo || n > hi) {
            throw new IllegalStateException("no segment length gives " + lo + ".." + hi + " crossings; last: " + n + " at scale " + s);
        }
        List<Crossing> walk = pl.walk(Mlp.INPUT, a, b, List.of());
        long first = walk.stream().filter(c -> c.site().equals(Mlp.relu(1))).count();
        System.out.printf("# segment: digit 0 + %.4f (digit 1 - digit 0), |b - a| = %.3f; crossings: %d (relu1 %d, relu2 %d)%n",
                s, norm(a, b), walk.size(), first, walk.size() - first);

        reference = new ReferenceWalk(mlp, 1e-10); // the backend's default walk tolerance
        List<Crossing> ref = reference.walk(a, b);
        if (ref.size() != walk.size()) {
            throw new IllegalStateException("the reference walk finds " + ref.size() + " crossings, ND4J " + walk.size());
        }
        for (int i = 0; i < ref.size(); i++) {
            Crossing x = ref.get(i);
            Crossing y = walk.get(i);
            if (!x.site().equals(y.site()) || x.neuron() != y.neuron() || Math.abs(x.t() - y.t()) > 1e-9) {
                throw new IllegalStateException("crossing " + i + " differs: reference " + x + ", ND4J " + y);
            }
        }
    }

    private static float[] end(float[] a, float[] towards, double s) {
        float[] e = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            e[i] = (float) (a[i] + s * (towards[i] - a[i]));
        }
        return e;
    }

    private static double norm(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) (b[i] - a[i]) * (b[i] - a[i]);
        }
        return Math.sqrt(s);
    }

    @Benchmark
    public List<Crossing> walk() throws Exception {
        return pl.walk(Mlp.INPUT, a, b, List.of());
    }

    /**
     * Not the workbench: {@link ReferenceWalk}, the suggested fix (plain arrays, first layer
     * once per segment), checked at setup to give the same crossings as {@link #walk}.
     */
    @Benchmark
    public List<Crossing> referenceWalk() {
        return reference.walk(a, b);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (model != null) {
            model.close();
        }
        Scratch.delete(dir);
    }
}
