package org.polytopelens.analysis.clusters;

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
 * A small real context in the input space: points of a given shape and optional labels in
 * memory, one hidden ReLU layer {@code relu(w x + b)} whose codes the encoder computes in double,
 * the core's parallel engine, and a sink writing into a directory.
 */
final class HandContext implements AnalysisContext, AutoCloseable {
    final Path dir;
    final float[][] points;
    final long[] pointShape;
    final int[] labels;
    final double[][] w;
    final double[] b;
    final Map<String, Model> models = new LinkedHashMap<>();
    final org.polytopelens.core.internal.ParallelEngine engine = new org.polytopelens.core.internal.ParallelEngine(2);
    final List<Result> published = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    HandContext(Path dir, float[][] points, long[] pointShape, int[] labels, double[][] w, double[] b) {
        this.dir = dir;
        this.points = points;
        this.pointShape = pointShape;
        this.labels = labels;
        this.w = w;
        this.b = b;
        models.put("hand", new Model() {
            @Override
            public ModelInfo info() {
                return new ModelInfo("hand", List.of(new TensorInfo("x", "float", new long[] {-1, points[0].length})),
                        List.of(new TensorInfo("pre", "float", new long[] {-1, w.length})), List.of(site()), List.of("x", "pre"));
            }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
                throw new UnsupportedOperationException("the clustering analysis reads points and codes through the context only");
            }

            @Override
            public void close() {}
        });
    }

    ActivationSite site() {
        return new ActivationSite("relu", "Relu", GateKind.HARD, "pre", new long[] {w.length}, w.length);
    }

    double pre(float[] x, int k) {
        double s = b[k];
        for (int d = 0; d < x.length; d++) {
            s += w[k][d] * x[d];
        }
        return s;
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
            SplineCodes.Builder c = new SplineCodes.Builder(t.rows(), w.length);
            for (int r = 0; r < t.rows(); r++) {
                float[] x = t.row(r);
                for (int k = 0; k < w.length; k++) {
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
            return Tensor.batch(to - from, pointShape, x);
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
