package org.polytopelens.analysis.density;

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

/**
 * A small real context for the analysis in the input space: points and labels in memory, one
 * "model" per role whose code is one bit per hyperplane {@code w.x + b > 0} (a one-layer ReLU net
 * to the output), the core's parallel engine, and a sink writing into a directory.
 */
final class HandContext implements AnalysisContext, AutoCloseable {
    final Path dir;
    final float[][] points;
    final int[] labels;
    final Map<String, Model> models = new LinkedHashMap<>();
    final Map<Model, SpaceEncoder> encoders = new LinkedHashMap<>();
    final org.polytopelens.core.internal.ParallelEngine engine;
    final List<Result> published = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    HandContext(Path dir, float[][] points, int[] labels, int threads) {
        this.dir = dir;
        this.points = points;
        this.labels = labels;
        this.engine = new org.polytopelens.core.internal.ParallelEngine(threads);
    }

    /** Adds a model whose code bits are the hyperplanes {@code w[k] . x + b[k] > 0}; soft codes are sigmoid(w.x + b) unless hardSoft. */
    HandContext model(String role, float[][] w, float[] b, boolean hardSoft) {
        Model m = new Model() {
            @Override
            public ModelInfo info() {
                return new ModelInfo(role, List.of(), List.of(), List.of(), List.of());
            }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
                throw new UnsupportedOperationException("the hand-made context codes points directly");
            }

            @Override
            public void close() {}
        };
        models.put(role, m);
        encoders.put(m, new Hyperplanes(w, b, hardSoft));
        return this;
    }

    HandContext model(String role, float[][] w, float[] b) {
        return model(role, w, b, false);
    }

    static final class Hyperplanes implements SpaceEncoder {
        final float[][] w;
        final float[] b;
        final boolean hardSoft;

        Hyperplanes(float[][] w, float[] b, boolean hardSoft) {
            this.w = w;
            this.b = b;
            this.hardSoft = hardSoft;
        }

        double pre(Tensor t, int r, int k) {
            double s = b[k];
            for (int d = 0; d < w[k].length; d++) {
                s += w[k][d] * t.data()[r * t.rowSize() + d];
            }
            return s;
        }

        @Override
        public String layer() {
            return "";
        }

        @Override
        public List<ActivationSite> sites() {
            return List.of(new ActivationSite("relu", "Relu", GateKind.HARD, "pre", new long[] {w.length}, w.length));
        }

        @Override
        public CodeLayout layout() {
            return new CodeLayout(List.of(new CodeLayout.Segment("relu", 0, w.length)));
        }

        @Override
        public SplineCodes hard(Tensor t) {
            SplineCodes.Builder c = new SplineCodes.Builder(t.rows(), w.length);
            for (int r = 0; r < t.rows(); r++) {
                for (int k = 0; k < w.length; k++) {
                    if (pre(t, r, k) > 0) {
                        c.set(r, k);
                    }
                }
            }
            return c.build();
        }

        @Override
        public SoftCodes soft(Tensor t) {
            if (hardSoft) {
                return SoftCodes.of(hard(t));
            }
            float[] p = new float[t.rows() * w.length];
            for (int r = 0; r < t.rows(); r++) {
                for (int k = 0; k < w.length; k++) {
                    p[r * w.length + k] = (float) (1 / (1 + Math.exp(-pre(t, r, k))));
                }
            }
            return new SoftCodes(t.rows(), w.length, p);
        }
    }

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
