package org.polytopelens.core.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.Visualizer;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Table;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;

/** Small real implementations of the extension points, for driving the core in plain JUnit. */
final class TestPlugins {
    private TestPlugins() {}

    /** A Metatype attribute, as the Metatype service would hand it out. */
    record Ad(String id, int type, int cardinality, String[] defaults, String[] options) implements AttributeDefinition {
        static Ad of(String id, int type, String... defaults) {
            return new Ad(id, type, 0, defaults.length == 0 ? null : defaults, null);
        }

        @Override
        public String getName() {
            return id.replace('.', ' ');
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "the " + id;
        }

        @Override
        public int getCardinality() {
            return cardinality;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return options;
        }

        @Override
        public String[] getOptionLabels() {
            return options;
        }

        /** Like Felix Metatype's check of a min of 1 for integer "min.size": "" when valid. */
        @Override
        public String validate(String value) {
            return id.equals("min.size") && Integer.parseInt(value) < 1 ? "Value " + value + " is less than the minimum 1" : "";
        }

        @Override
        public String[] getDefaultValue() {
            return defaults;
        }
    }

    /** An object class definition whose attributes are all in the REQUIRED set, as bnd generates them. */
    record Ocd(String id, List<Ad> required, List<Ad> optional) implements ObjectClassDefinition {
        @Override
        public String getName() {
            return id;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "";
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            List<Ad> l = switch (filter) {
                case REQUIRED -> required;
                case OPTIONAL -> optional;
                default -> {
                    List<Ad> all = new ArrayList<>(required);
                    all.addAll(optional);
                    yield all;
                }
            };
            return l.isEmpty() && filter == OPTIONAL ? null : l.toArray(new AttributeDefinition[0]);
        }

        @Override
        public java.io.InputStream getIcon(int size) {
            return null;
        }
    }

    /** A registry holding the test plugins, with schemas keyed by provider id (used as PID). */
    static Registry registry(Map<String, Schema> schemas, Object... providers) {
        Registry r = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        for (Object p : providers) {
            for (ExtensionPoints.Point point : ExtensionPoints.ALL) {
                if (point.type().isInstance(p)) {
                    r.add(point.type(), (org.polytopelens.api.Provider) p,
                            new Registry.Origin("test.bundle", "1.0.0", ((org.polytopelens.api.Provider) p).id(), null));
                }
            }
        }
        return r;
    }

    static Map<String, Schema> schemas() {
        Map<String, Schema> m = new HashMap<>();
        m.put("lines", Schema.of("lines", new Ocd("lines", List.of(Ad.of("path", AttributeDefinition.STRING), Ad.of("limit",
                AttributeDefinition.INTEGER, "0")), List.of())));
        m.put("codes-txt", Schema.of("codes-txt", new Ocd("codes-txt", List.of(Ad.of("batch.size", AttributeDefinition.INTEGER, "2")),
                List.of())));
        m.put("slow", Schema.of("slow", new Ocd("slow", List.of(Ad.of("millis", AttributeDefinition.LONG, "60000")), List.of())));
        m.put("share", Schema.of("share", new Ocd("share", List.of(Ad.of("block", AttributeDefinition.INTEGER, "2")), List.of())));
        m.put("txt", Schema.of("txt", new Ocd("txt", List.of(Ad.of("suffix", AttributeDefinition.STRING, "txt")), List.of())));
        return m;
    }

    /**
     * y = W3 relu(W2 relu(W1 x + b1) + b2): input "x" [n, 2]; tensors in graph order x, h1_pre, h1,
     * h2_pre, h2, y; sites relu1 (h1_pre, 3 neurons) and relu2 (h2_pre, 2 neurons).
     */
    static final class TinyMlp implements Model {
        static final float[][] W1 = {{1, 0}, {0, 1}, {1, -1}};
        static final float[] B1 = {0, 0, -0.5f};
        static final float[][] W2 = {{1, 1, 0}, {-1, 0, 1}};
        static final float[] B2 = {-1, 0};
        final Path source;
        volatile boolean closed;
        /** Rows fed through the model, over all runs (to see what the steps of a run share). */
        final java.util.concurrent.atomic.AtomicLong rowsRun = new java.util.concurrent.atomic.AtomicLong();

        TinyMlp(Path source) {
            this.source = source;
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo(source.toString(), List.of(new TensorInfo("x", "float", new long[] {-1, 2})),
                    List.of(new TensorInfo("y", "float", new long[] {-1, 2})),
                    List.of(new ActivationSite("relu1", "Relu", GateKind.HARD, "h1_pre", new long[] {3}, 3),
                            new ActivationSite("relu2", "Relu", GateKind.HARD, "h2_pre", new long[] {2}, 2)),
                    List.of("x", "h1_pre", "h1", "h2_pre", "h2", "y"));
        }

        static float[] affine(float[][] w, float[] b, float[] x) {
            float[] y = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                y[i] = b == null ? 0 : b[i];
                for (int j = 0; j < x.length; j++) {
                    y[i] += w[i][j] * x[j];
                }
            }
            return y;
        }

        static float[] relu(float[] v) {
            float[] r = v.clone();
            for (int i = 0; i < r.length; i++) {
                r[i] = Math.max(0, r[i]);
            }
            return r;
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (feeds.size() != 1) {
                throw new IllegalArgumentException("feed one of x, h1");
            }
            String feed = feeds.keySet().iterator().next();
            Tensor t = feeds.get(feed);
            int n = t.rows();
            rowsRun.addAndGet(n);
            Map<String, List<float[]>> rows = new HashMap<>();
            for (int r = 0; r < n; r++) {
                Map<String, float[]> v = new HashMap<>();
                float[] in = t.row(r);
                if (feed.equals("x")) {
                    v.put("x", in);
                    v.put("h1_pre", affine(W1, B1, in));
                    v.put("h1", relu(v.get("h1_pre")));
                } else if (feed.equals("h1")) {
                    v.put("h1", in);
                } else {
                    throw new IllegalArgumentException("cannot feed '" + feed + "'; valid: x, h1");
                }
                v.put("h2_pre", affine(W2, B2, v.get("h1")));
                v.put("h2", relu(v.get("h2_pre")));
                v.put("y", affine(new float[][] {{1, 0}, {0, 1}}, null, v.get("h2")));
                for (String f : fetches) {
                    if (!v.containsKey(f)) {
                        throw new IllegalArgumentException("cannot fetch '" + f + "' when feeding '" + feed + "'");
                    }
                    rows.computeIfAbsent(f, k -> new ArrayList<>()).add(v.get(f));
                }
            }
            Map<String, Tensor> out = new HashMap<>();
            for (String f : fetches) {
                List<float[]> l = rows.getOrDefault(f, List.of());
                int w = l.isEmpty() ? 0 : l.get(0).length;
                float[] d = new float[n * w];
                for (int r = 0; r < n; r++) {
                    System.arraycopy(l.get(r), 0, d, r * w, w);
                }
                out.put(f, Tensor.batch(n, new long[] {w}, d));
            }
            return out;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class TinyBackend implements ModelBackend {
        final List<TinyMlp> opened = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "tiny";
        }

        @Override
        public String name() {
            return "Tiny MLP";
        }

        @Override
        public String description() {
            return "opens .tiny files as a fixed 2-3-2-2 ReLU MLP";
        }

        @Override
        public int priority(Path model) {
            return model.toString().endsWith(".tiny") ? 10 : -1;
        }

        @Override
        public Model open(Path model, Parameters params) {
            TinyMlp m = new TinyMlp(model);
            opened.add(m);
            return m;
        }
    }

    static final class SignCoder implements ActivationCoder {
        @Override
        public String id() {
            return "sign";
        }

        @Override
        public String name() {
            return "Sign";
        }

        @Override
        public String description() {
            return "1 iff x > 0";
        }

        @Override
        public boolean supports(ActivationSite site) {
            return site.op().equals("Relu");
        }

        @Override
        public SplineCodes hard(ActivationSite site, Tensor pre) {
            SplineCodes.Builder b = new SplineCodes.Builder(pre.rows(), pre.rowSize());
            for (int r = 0; r < pre.rows(); r++) {
                for (int k = 0; k < pre.rowSize(); k++) {
                    if (pre.data()[r * pre.rowSize() + k] > 0) {
                        b.set(r, k);
                    }
                }
            }
            return b.build();
        }
    }

    /** Dataset "lines": a text file, one point per line, values separated by spaces. */
    static final class LinesDataset implements DatasetProvider {
        @Override
        public String id() {
            return "lines";
        }

        @Override
        public String name() {
            return "Text lines";
        }

        @Override
        public String description() {
            return "points from a text file";
        }

        @Override
        public Dataset open(Parameters params) throws Exception {
            List<String> lines = Files.readAllLines(Path.of((String) params.get("path").orElseThrow())).stream().filter(l -> !l.isBlank())
                    .toList();
            int limit = (Integer) params.get("limit").orElse(0);
            int n = limit > 0 ? Math.min(limit, lines.size()) : lines.size();
            int w = lines.isEmpty() ? 0 : lines.get(0).trim().split("\\s+").length;
            float[] d = new float[n * w];
            for (int r = 0; r < n; r++) {
                String[] p = lines.get(r).trim().split("\\s+");
                for (int k = 0; k < w; k++) {
                    d[r * w + k] = Float.parseFloat(p[k]);
                }
            }
            Tensor all = Tensor.batch(n, new long[] {w}, d);
            return new Dataset() {
                @Override
                public int size() {
                    return n;
                }

                @Override
                public Tensor batch(int from, int to) {
                    return all.rows(from, to);
                }
            };
        }
    }

    /** Analysis "codes-txt": hard codes of every example, one line of 0/1 per example, sharded by batches. */
    static final class CodesTxt implements Analysis {
        @Override
        public String id() {
            return "codes-txt";
        }

        @Override
        public String name() {
            return "Codes as text";
        }

        @Override
        public String description() {
            return "writes codes.txt";
        }

        @Override
        public void run(AnalysisContext ctx, Parameters params) throws Exception {
            int batch = (Integer) params.get("batch.size").orElseThrow();
            SpaceEncoder enc = ctx.encoder(ctx.model());
            int n = ctx.dataset().size();
            SplineCodes codes = ctx.engine().run(new Sharded<SplineCodes>() {
                @Override
                public int shards() {
                    return (n + batch - 1) / batch;
                }

                @Override
                public SplineCodes shard(int i, Progress p) throws Exception {
                    Tensor pts = ctx.dataset().batch(i * batch, Math.min(n, (i + 1) * batch));
                    if (!ctx.layer().isEmpty()) {
                        pts = ctx.model().run(Map.of("x", pts), List.of(ctx.layer())).get(ctx.layer());
                    }
                    return enc.hard(pts);
                }

                @Override
                public SplineCodes merge(List<SplineCodes> parts) {
                    return SplineCodes.concatRows(parts);
                }
            }, ctx.progress());
            StringBuilder s = new StringBuilder();
            for (int r = 0; r < codes.count(); r++) {
                for (int b = 0; b < codes.bits(); b++) {
                    s.append(codes.get(r, b) ? '1' : '0');
                }
                s.append('\n');
            }
            ctx.results().write("codes.txt", out -> out.write(s.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            ctx.results().publish(new Table("summary", "Codes", List.of("points", "bits"), List.of(List.of(codes.count(), codes.bits()))));
            ctx.progress().report(1, "done");
        }
    }

    /** Reads the codes and points of every example through the context, in blocks of {@code block}. */
    static final class Share implements Analysis {
        @Override
        public String id() {
            return "share";
        }

        @Override
        public String name() {
            return "Shared reads";
        }

        @Override
        public String description() {
            return "reads codes and points of every example";
        }

        @Override
        public void run(AnalysisContext ctx, Parameters params) throws Exception {
            int block = ((Number) params.get("block").orElse(2)).intValue();
            int n = ctx.dataset().size();
            StringBuilder s = new StringBuilder();
            for (int from = 0; from < n; from += block) {
                int to = Math.min(n, from + block);
                SplineCodes c = ctx.codes(ctx.model(), from, to);
                Tensor p = ctx.points(ctx.model(), from, to);
                for (int r = 0; r < c.count(); r++) {
                    for (int b = 0; b < c.bits(); b++) {
                        s.append(c.get(r, b) ? '1' : '0');
                    }
                    s.append(' ').append(java.util.Arrays.toString(p.row(r))).append('\n');
                }
            }
            ctx.results().write("share.txt", out -> out.write(s.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
    }

    static final class Boom implements Analysis {
        @Override
        public String id() {
            return "boom";
        }

        @Override
        public String name() {
            return "Boom";
        }

        @Override
        public String description() {
            return "always fails";
        }

        @Override
        public void run(AnalysisContext ctx, Parameters params) throws Exception {
            ctx.results().write("partial.txt", out -> out.write('x'));
            throw new IllegalStateException("boom on purpose");
        }
    }

    /** Analysis "slow": waits, checking cancellation, up to {@code millis}. */
    static final class Slow implements Analysis {
        @Override
        public String id() {
            return "slow";
        }

        @Override
        public String name() {
            return "Slow";
        }

        @Override
        public String description() {
            return "waits";
        }

        @Override
        public void run(AnalysisContext ctx, Parameters params) throws Exception {
            long end = System.currentTimeMillis() + (Long) params.get("millis").orElseThrow();
            while (System.currentTimeMillis() < end) {
                ctx.progress().checkCancelled();
                Thread.sleep(10);
            }
        }
    }

    /** Writes each table as {@code <name>.<suffix>} (parameter {@code suffix}, default {@code txt}). */
    static final class TxtViz implements Visualizer {
        @Override
        public String id() {
            return "txt";
        }

        @Override
        public String name() {
            return "Text tables";
        }

        @Override
        public String description() {
            return "tables as text";
        }

        @Override
        public boolean supports(Result r) {
            return r instanceof Table;
        }

        @Override
        public void render(Result r, ResultSink out, Parameters p) throws Exception {
            String suffix = (String) p.get("suffix").orElse("txt");
            out.write(r.name() + "." + suffix, o -> o.write(((Table) r).rows().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    static final class BrokenViz implements Visualizer {
        @Override
        public String id() {
            return "broken";
        }

        @Override
        public String name() {
            return "Broken";
        }

        @Override
        public String description() {
            return "fails";
        }

        @Override
        public boolean supports(Result r) {
            return true;
        }

        @Override
        public void render(Result r, ResultSink out, Parameters p) {
            throw new IllegalStateException("cannot draw");
        }
    }
}
