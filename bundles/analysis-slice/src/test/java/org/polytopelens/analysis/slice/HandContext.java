package org.polytopelens.analysis.slice;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Model;
import org.polytopelens.api.Progress;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;

/**
 * A small real context in the input space: points and labels in memory, one ReLU layer
 * {@code relu(w x + b)} whose codes are computed in double, the core's parallel engine, and a
 * sink writing into a directory. Counts the points the encoder saw and the largest batch.
 */
final class HandContext implements AnalysisContext, AutoCloseable {
    final Path dir;
    final float[][] points;
    final int[] labels;
    final double[][] w;
    final double[] b;
    final org.polytopelens.core.internal.ParallelEngine engine;
    final List<Result> published = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final AtomicInteger largestBatch = new AtomicInteger();

    HandContext(Path dir, float[][] points, int[] labels, double[][] w, double[] b, int threads) {
        this.dir = dir;
        this.points = points;
        this.labels = labels;
        this.w = w;
        this.b = b;
        this.engine = new org.polytopelens.core.internal.ParallelEngine(threads);
    }

    final Model model = new Model() {
        @Override
        public ModelInfo info() {
            return new ModelInfo("hand", List.of(new TensorInfo("x", "float", new long[] {-1, w[0].length})),
                    List.of(new TensorInfo("y", "float", new long[] {-1, w.length})), List.of(site()), List.of("x", "pre", "y"));
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
            throw new UnsupportedOperationException("the slice analysis needs codes only");
        }

        @Override
        public void close() {}
    };

    ActivationSite site() {
        return new ActivationSite("relu", "Relu", GateKind.HARD, "pre", new long[] {w.length}, w.length);
    }

    final SpaceEncoder encoder = new SpaceEncoder() {
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
            return new CodeLayout(List.of(new CodeLayout.Segment("relu", 0, w.length)));
        }

        @Override
        public SplineCodes hard(Tensor t) {
            largestBatch.accumulateAndGet(t.rows(), Math::max);
            SplineCodes.Builder c = new SplineCodes.Builder(t.rows(), w.length);
            for (int r = 0; r < t.rows(); r++) {
                float[] x = t.row(r);
                for (int k = 0; k < w.length; k++) {
                    double s = b[k];
                    for (int d = 0; d < x.length; d++) {
                        s += w[k][d] * x[d];
                    }
                    if (s > 0) {
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
    };

    final Dataset dataset = new Dataset() {
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
            return Tensor.batch(to - from, new long[] {d}, x);
        }

        @Override
        public Optional<int[]> labels() {
            return Optional.ofNullable(labels);
        }
    };

    final ResultSink sink = new ResultSink() {
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
            published.add(result);
        }
    };

    @Override
    public Model model() {
        return model;
    }

    @Override
    public Map<String, Model> models() {
        return Map.of("hand", model);
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
    public Tensor points(Model m, int from, int to) throws Exception {
        return dataset.batch(from, to);
    }

    @Override
    public SpaceEncoder encoder(Model m) {
        return encoder;
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
