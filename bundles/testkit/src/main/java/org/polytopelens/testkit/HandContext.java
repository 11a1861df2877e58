package org.polytopelens.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Model;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.Progress;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.AffineMap;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;

/**
 * Test kit for analysis plugins: an {@link AnalysisContext} to drive an analysis in a plain JUnit
 * test, without OSGi and without an ONNX model. A small real context in the input space: points
 * and labels in memory, models that are one-hidden-layer ReLU nets {@code y = w2 relu(w1 x + b1) + b2} computed in double, the core's
 * parallel engine, and a sink writing into a directory. A net made {@code exact} offers the
 * segment walk: with one hidden layer each neuron's pre-activation is affine along a segment, so
 * it crosses zero at most once, at {@code t = -p(a) / (p(b) - p(a))}.
 */
public final class HandContext implements AnalysisContext, AutoCloseable {
    public final Path dir;
    public final float[][] points;
    public final int[] labels;
    public final Map<String, Model> models = new LinkedHashMap<>();
    public final Map<Model, SpaceEncoder> encoders = new LinkedHashMap<>();
    private final org.polytopelens.core.internal.ParallelEngine engine;
    public final List<Result> published = new ArrayList<>();
    public final List<String> log = new ArrayList<>();
    private volatile long[] pointShape;

    public HandContext(Path dir, float[][] points, int[] labels, int threads) {
        this.dir = dir;
        this.points = points;
        this.labels = labels;
        this.engine = new org.polytopelens.core.internal.ParallelEngine(threads);
    }

    /** Gives the dataset's points a shape (e.g. {@code 1, 28, 28} images); default: flat vectors. */
    public HandContext pointShape(long... shape) {
        this.pointShape = shape.clone();
        return this;
    }

    /**
     * Adds a model coded by any hand-made encoder; the model only describes itself (its
     * {@code run} refuses), for analyses that need codes and points only.
     */
    public HandContext model(String role, SpaceEncoder encoder) {
        Model m = new Model() {
            @Override
            public ModelInfo info() {
                return new ModelInfo(role, List.of(), List.of(), encoder.sites(), List.of());
            }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
                throw new UnsupportedOperationException("this hand-made model codes points directly; it does not run");
            }

            @Override
            public void close() {}
        };
        models.put(role, m);
        encoders.put(m, encoder);
        return this;
    }

    public HandContext model(String role, Net net, boolean exact) {
        Model m = new Model() {
            @Override
            public ModelInfo info() {
                int d = net.w1[0].length;
                return new ModelInfo(role, List.of(new TensorInfo("x", "float", new long[] {-1, d})),
                        List.of(new TensorInfo("y", "float", new long[] {-1, net.w2.length})), List.of(net.site()), List.of("x", "pre", "y"));
            }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
                if (!feeds.keySet().equals(java.util.Set.of("x")) || !List.copyOf(fetches).equals(List.of("y"))) {
                    throw new IllegalArgumentException("the hand net feeds x and fetches y, got " + feeds.keySet() + " -> " + fetches);
                }
                Tensor t = feeds.get("x");
                float[] out = new float[t.rows() * net.w2.length];
                for (int r = 0; r < t.rows(); r++) {
                    double[] y = net.output(t.row(r));
                    for (int j = 0; j < y.length; j++) {
                        out[r * y.length + j] = (float) y[j];
                    }
                }
                return Map.of("y", Tensor.batch(t.rows(), new long[] {net.w2.length}, out));
            }

            @Override
            public Optional<PiecewiseLinear> piecewiseLinear() {
                return exact ? Optional.of(net) : Optional.empty();
            }

            @Override
            public void close() {}
        };
        models.put(role, m);
        encoders.put(m, net);
        return this;
    }

    /** One hidden ReLU layer; codes and the walk of its neurons. */
    public static final class Net implements SpaceEncoder, PiecewiseLinear {
        public final double[][] w1, w2;
        public final double[] b1, b2;
        public final List<Integer> walks = java.util.Collections.synchronizedList(new ArrayList<>());
        /** The largest batch {@link #hard} was given (streaming tests check it). */
        public final java.util.concurrent.atomic.AtomicInteger largestBatch = new java.util.concurrent.atomic.AtomicInteger();

        public Net(double[][] w1, double[] b1, double[][] w2, double[] b2) {
            this.w1 = w1;
            this.b1 = b1;
            this.w2 = w2;
            this.b2 = b2;
        }

        public ActivationSite site() {
            return new ActivationSite("relu", "Relu", GateKind.HARD, "pre", new long[] {w1.length}, w1.length);
        }

        public double pre(float[] x, int k) {
            double s = b1[k];
            for (int d = 0; d < x.length; d++) {
                s += w1[k][d] * x[d];
            }
            return s;
        }

        public double[] output(float[] x) {
            double[] y = b2.clone();
            for (int k = 0; k < w1.length; k++) {
                double h = Math.max(0, pre(x, k));
                for (int j = 0; j < y.length; j++) {
                    y[j] += w2[j][k] * h;
                }
            }
            return y;
        }

        @Override
        public String layer() {
            return "";
        }

        @Override
        public List<ActivationSite> sites() {
            return List.of(site());
        }

        @Override
        public CodeLayout layout() {
            return new CodeLayout(List.of(new CodeLayout.Segment("relu", 0, w1.length)));
        }

        @Override
        public SplineCodes hard(Tensor t) {
            largestBatch.accumulateAndGet(t.rows(), Math::max);
            SplineCodes.Builder c = new SplineCodes.Builder(t.rows(), w1.length);
            for (int r = 0; r < t.rows(); r++) {
                float[] x = t.row(r);
                for (int k = 0; k < w1.length; k++) {
                    if (pre(x, k) > 0) {
                        c.set(r, k);
                    }
                }
            }
            return c.build();
        }

        @Override
        public SoftCodes soft(Tensor t) {
            return SoftCodes.of(hard(t));
        }

        @Override
        public List<Crossing> walk(String from, float[] a, float[] b, List<String> sites) {
            if (!from.equals("x") || !sites.equals(List.of("relu"))) {
                throw new IllegalArgumentException("the hand net walks from x over site relu, got " + from + " " + sites);
            }
            walks.add(1);
            List<Crossing> out = new ArrayList<>();
            for (int k = 0; k < w1.length; k++) {
                double pa = pre(a, k), pb = pre(b, k);
                if ((pa > 0) != (pb > 0)) {
                    double t = -pa / (pb - pa);
                    if (t > 0 && t < 1) {
                        out.add(new Crossing(t, "relu", k));
                    }
                }
            }
            out.sort(java.util.Comparator.comparingDouble(Crossing::t));
            return out;
        }

        /** In the point's polytope: {@code A = W2 diag(g) W1}, {@code c = W2 diag(g) b1 + b2}, g the ReLU gates. */
        @Override
        public AffineMap affineMap(String from, float[] point, String to) {
            if (!from.equals("x") || !to.equals("y")) {
                throw new IllegalArgumentException("the hand net maps x to y, got " + from + " -> " + to);
            }
            int d = w1[0].length, o = w2.length;
            double[] a = new double[o * d];
            double[] c = b2.clone();
            for (int k = 0; k < w1.length; k++) {
                if (pre(point, k) > 0) {
                    for (int j = 0; j < o; j++) {
                        c[j] += w2[j][k] * b1[k];
                        for (int i = 0; i < d; i++) {
                            a[j * d + i] += w2[j][k] * w1[k][i];
                        }
                    }
                }
            }
            return new AffineMap(o, d, a, c);
        }

        @Override
        public float[] jvp(String from, float[] point, float[] direction, String to) {
            throw new UnsupportedOperationException("not offered by the hand context");
        }
    }

    public final Dataset dataset = new Dataset() {
        @Override
        public int size() {
            return points.length;
        }

        @Override
        public Tensor batch(int from, int to) {
            int d = points[0].length;
            float[] x = new float[(to - from) * d];
            for (int i = from; i < to; i++) {
                System.arraycopy(points[i], 0, x, (i - from) * d, d);
            }
            return Tensor.batch(to - from, pointShape != null ? pointShape : new long[] {d}, x);
        }

        @Override
        public Optional<int[]> labels() {
            return Optional.ofNullable(labels);
        }

        @Override
        public String describe(int i) {
            return labels == null ? "point " + i : "point " + i + " (class " + labels[i] + ")";
        }
    };

    public final ResultSink sink = new ResultSink() {
        @Override
        public Path directory() {
            return dir;
        }

        @Override
        public void write(String fileName, IOBody body) throws IOException {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(dir.resolve(fileName))) {
                body.writeTo(out);
            }
        }

        @Override
        public synchronized void publish(Result result) {
            // As the workbench's sink: a published result is saved as <name>.json.
            if (java.nio.file.Files.exists(dir.resolve(result.name() + ".json"))) {
                throw new IllegalArgumentException("result '" + result.name() + "' would overwrite " + result.name()
                        + ".json, which this run already wrote; give the result another name");
            }
            published.add(result);
        }
    };

    @Override
    public Model model() {
        return models.values().iterator().next();
    }

    @Override
    public Map<String, Model> models() {
        return models;
    }

    @Override
    public Dataset dataset() {
        return dataset;
    }

    @Override
    public String layer() {
        return "";
    }

    @Override
    public Tensor points(Model model, int from, int to) throws Exception {
        return dataset.batch(from, to);
    }

    @Override
    public SpaceEncoder encoder(Model model) {
        return encoders.get(model);
    }

    @Override
    public ResultSink results() {
        return sink;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public Progress progress() {
        return Progress.NONE;
    }

    @Override
    public synchronized void log(String message) {
        log.add(message);
    }

    @Override
    public void close() {
        engine.close();
    }
}
