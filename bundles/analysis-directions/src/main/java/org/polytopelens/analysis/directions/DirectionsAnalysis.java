package org.polytopelens.analysis.directions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.ClusteringAlgorithm;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.Table;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.VectorPoints;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * Directions vs clusters (the paper's polysemantic-direction view): NMF or PCA directions of the
 * layer's activations; for each direction the cosine similarity of every example with it, as a
 * histogram coloured by the example's group (its class label, or its cluster from a clustering
 * plugin), and the examples most aligned with it with how mixed their groups are.
 */
@Component(service = Analysis.class)
@Designate(ocd = DirectionsAnalysis.Config.class)
public final class DirectionsAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Directions vs clusters", description = "NMF or PCA directions of activations; cosine histograms coloured by class or cluster; top examples.")
    public @interface Config {
        @AttributeDefinition(name = "Method", description = "nmf (non-negative activations, e.g. after a ReLU) or pca.",
                options = {@Option(value = "nmf", label = "NMF"), @Option(value = "pca", label = "PCA")})
        String method() default "nmf";

        @AttributeDefinition(name = "Components", description = "Number of directions k.", min = "1")
        int components() default 8;

        @AttributeDefinition(name = "Colour by", description = "labels (the dataset's classes) or the id of a clustering plugin (e.g. hdbscan, kmeans) run on the same activations.")
        String color_by() default "labels";

        @AttributeDefinition(name = "Clustering parameters", description = "With a clustering plugin: its parameters as key=value, e.g. [k=10].")
        String[] clustering_params() default {};

        @AttributeDefinition(name = "Max points", description = "Use the first N examples.", min = "2")
        int max_points() default 1000;

        @AttributeDefinition(name = "Top", description = "Examples listed per direction (largest cosine).", min = "1")
        int top() default 16;

        @AttributeDefinition(name = "Histograms", description = "Directions drawn as histograms (largest weight first).", min = "0")
        int histograms() default 4;

        @AttributeDefinition(name = "Iterations", description = "NMF: maximum multiplicative-update iterations.", min = "1")
        int iterations() default 300;

        @AttributeDefinition(name = "Seed", description = "NMF: seed of the initial factors.")
        long seed() default 1;

        @AttributeDefinition(name = "Negative activations", description = "NMF: error (refuse negative values), or clip them to 0 (GELU/SiLU outputs, "
                + "whose negative part is small: GELU's is above -0.17).", options = {@Option(value = "error", label = "error"), @Option(value = "clip", label = "clip to 0")})
        String negatives() default "error";
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Reference(service = ClusteringAlgorithm.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ClusteringAlgorithm> algorithms = List.of();

    public DirectionsAnalysis() {}

    /** With the clustering plugins given directly (tests, use outside OSGi). */
    DirectionsAnalysis(List<ClusteringAlgorithm> algorithms) {
        this.algorithms = List.copyOf(algorithms);
    }

    @Override
    public String id() {
        return "directions";
    }

    @Override
    public String name() {
        return "Directions vs clusters (NMF, PCA)";
    }

    @Override
    public String description() {
        return "NMF or PCA directions of the layer's activations; per direction the cosine of every example, as a histogram coloured by class or "
                + "cluster, and its top examples with their groups' purity. Writes directions.json, directions[-role].npy; publishes histograms and directions-summary.";
    }

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class); // a converter proxy: read each value once, never in loops
        boolean nmf = c.method().equals("nmf");
        check(c.negatives().equals("error") || c.negatives().equals("clip"), "negatives must be error or clip, got '" + c.negatives() + "'");
        boolean clip = c.negatives().equals("clip");
        StringBuilder listing = new StringBuilder();
        check(c.method().equals("nmf") || c.method().equals("pca"), "method must be nmf or pca, got '" + c.method() + "'");
        int n = Math.min(c.max_points(), ctx.dataset().size());
        check(n >= 2, "need at least 2 examples, the dataset has " + ctx.dataset().size());
        int[] labels = ctx.dataset().labels().map(l -> Arrays.copyOf(l, n)).orElse(null);
        ClusteringAlgorithm algorithm = null;
        if (c.color_by().equals("labels")) {
            check(labels != null, "color_by: labels needs a dataset with labels; name a clustering plugin instead (available: "
                    + algorithms.stream().map(ClusteringAlgorithm::id).sorted().toList() + ")");
        } else {
            algorithm = algorithms.stream().filter(a -> a.id().equals(c.color_by())).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "directions: color_by '" + c.color_by() + "' is neither labels nor a clustering plugin; available: "
                            + algorithms.stream().map(ClusteringAlgorithm::id).sorted().toList()));
        }
        Map<String, Object> roots = new LinkedHashMap<>();
        List<List<Object>> rows = new ArrayList<>();
        int mi = 0;
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            String role = e.getKey();
            ctx.progress().report((double) mi++ / ctx.models().size(), role + ": " + c.method() + " of " + n + " points");
            long t0 = System.nanoTime();
            Tensor t = ctx.points(e.getValue(), 0, n);
            ctx.log("directions " + role + ": " + n + " points of layer '" + ctx.layer() + "' in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            int d = t.rowSize();
            check(c.components() <= Math.min(n, d), "components " + c.components() + " exceed min(points " + n + ", dimensions " + d + ")");
            double[][] x = new double[n][d];
            long clipped = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    x[i][j] = t.data()[i * d + j];
                    if (nmf && x[i][j] < 0 && clip) {
                        clipped++;
                        x[i][j] = 0;
                    } else if (nmf && x[i][j] < 0) {
                        throw new IllegalArgumentException("directions: NMF needs non-negative activations, but example " + i + " has " + x[i][j]
                                + " in layer '" + ctx.layer() + "'; choose a layer after a ReLU (e.g. its output), negatives: clip (GELU outputs) or method: pca");
                    }
                }
            }
            if (clipped > 0) {
                ctx.log(String.format(java.util.Locale.ROOT, "directions %s: %d of %d values negative, clipped to 0 (%.1f%%)", role, clipped, (long) n * d,
                        100.0 * clipped / ((long) n * d)));
            }
            ctx.progress().checkCancelled();
            Factorizations.Result f = c.method().equals("nmf") ? Factorizations.nmf(x, c.components(), c.iterations(), 1e-6, c.seed())
                    : Factorizations.pca(x, c.components());
            ctx.log("directions " + role + ": " + c.method() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms since the points");
            int[] groups;
            List<String> groupNames = new ArrayList<>();
            if (algorithm == null) {
                groups = labels.clone();
                int max = Arrays.stream(groups).max().orElse(0);
                for (int g = 0; g <= max; g++) {
                    groupNames.add("class " + g);
                }
            } else {
                Map<String, Object> cp = Parameters.keyValues(c.clustering_params(), "clustering_params");
                Clustering cl = algorithm.cluster(new VectorPoints(t, VectorPoints.Metric.EUCLIDEAN), Parameters.of(cp), ctx.progress());
                groups = cl.labels().clone();
                for (int g = 0; g < cl.clusters(); g++) {
                    groupNames.add("cluster " + g);
                }
                groupNames.add("noise");
                for (int i = 0; i < n; i++) {
                    groups[i] = groups[i] < 0 ? cl.clusters() : groups[i];
                }
            }
            double[] mean = new double[d];
            if (c.method().equals("pca")) { // cosines of the centred activations with the principal axes
                for (double[] row : x) {
                    for (int j = 0; j < d; j++) {
                        mean[j] += row[j] / n;
                    }
                }
            }
            Integer[] byWeight = new Integer[c.components()];
            for (int a = 0; a < byWeight.length; a++) {
                byWeight[a] = a;
            }
            Arrays.sort(byWeight, (p, q) -> Double.compare(f.weights()[q], f.weights()[p]));
            List<Map<String, Object>> dirs = new ArrayList<>();
            String suffix = ctx.models().size() > 1 ? "-" + role : "";
            for (int rank = 0; rank < byWeight.length; rank++) {
                int a = byWeight[rank];
                double[] cos = cosines(x, mean, f.components()[a]);
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (p, q) -> Double.compare(cos[q], cos[p]));
                int top = Math.min(c.top(), n);
                TreeMap<Integer, Integer> counts = new TreeMap<>();
                List<Map<String, Object>> examples = new ArrayList<>();
                for (int r = 0; r < top; r++) {
                    int i = order[r];
                    counts.merge(groups[i], 1, Integer::sum);
                    Map<String, Object> ex = new LinkedHashMap<>();
                    ex.put("example", i);
                    ex.put("describe", ctx.dataset().describe(i));
                    ex.put("cosine", cos[i]);
                    ex.put("group", groupNames.get(groups[i]));
                    examples.add(ex);
                }
                listing.append(listing.length() == 0 ? "" : "\n").append(role).append(" direction ").append(rank)
                        .append(String.format(java.util.Locale.ROOT, " (weight %.3f)%n", f.weights()[a]));
                for (Map<String, Object> ex : examples) {
                    listing.append(String.format(java.util.Locale.ROOT, "%.3f\t%s\t%s%n", (Double) ex.get("cosine"), ex.get("group"),
                            String.valueOf(ex.get("describe")).replace('\n', ' ')));
                }
                Map.Entry<Integer, Integer> majority = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
                long mixed = counts.values().stream().filter(v -> v >= Math.max(2, 0.2 * top)).count();
                Map<String, Object> dj = new LinkedHashMap<>();
                dj.put("direction", rank);
                dj.put("weight", f.weights()[a]);
                dj.put("top_majority_group", groupNames.get(majority.getKey()));
                dj.put("top_purity", (double) majority.getValue() / top);
                dj.put("top_groups_with_20_percent", mixed);
                dj.put("top", examples);
                dirs.add(dj);
                rows.add(List.of(role, rank, String.format("%.3f", f.weights()[a]), groupNames.get(majority.getKey()),
                        String.format("%.2f", (double) majority.getValue() / top), mixed));
                if (rank < c.histograms()) {
                    ctx.results().publish(new Histogram("directions" + suffix + "-" + rank, c.method().toUpperCase() + " direction " + rank + " (" + role
                            + ", weight " + String.format("%.3f", f.weights()[a]) + "): cosine of every example, coloured by " + (algorithm == null ? "class" : algorithm.id() + " cluster"),
                            "cosine similarity with the direction", cos, groups, groupNames, 40));
                }
            }
            float[] comps = new float[byWeight.length * d];
            for (int rank = 0; rank < byWeight.length; rank++) {
                for (int j = 0; j < d; j++) {
                    comps[rank * d + j] = (float) f.components()[byWeight[rank]][j];
                }
            }
            ctx.results().write("directions" + suffix + ".npy", s -> {
                NpyWriter w = NpyWriter.to(s, NpyDtype.FLOAT32, new long[] {byWeight.length, d});
                w.append(comps);
                w.close();
            });
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("error", f.error());
            root.put("error_meaning", c.method().equals("nmf") ? "relative Frobenius error |X - WH| / |X|" : "share of the variance left out");
            root.put("iterations", f.iterations());
            root.put("directions", dirs);
            roots.put(role, root);
            ctx.log("directions " + role + ": " + c.method() + " k=" + c.components() + ", error " + f.error());
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("method", c.method());
        all.put("components", c.components());
        all.put("layer", ctx.layer());
        all.put("points", n);
        all.put("color_by", c.color_by());
        all.put("models", roots);
        ctx.results().write("directions.json", o -> JSON.writeValue(o, all));
        String text = "# the " + Math.min(c.top(), n) + " examples most aligned with each direction: cosine <TAB> group <TAB> example\n" + listing;
        ctx.results().write("directions-top.txt", o -> o.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ctx.results().publish(new Table("directions-summary", c.method().toUpperCase() + " directions of layer '" + ctx.layer() + "' vs "
                + (algorithm == null ? "classes" : algorithm.id() + " clusters") + " (top " + Math.min(c.top(), n) + " examples each)",
                List.of("model", "direction", "weight", "top majority", "top purity", "groups >= 20% of top"), rows));
    }

    /** Cosine of each row of x (minus mean) with v. */
    static double[] cosines(double[][] x, double[] mean, double[] v) {
        double vn = 0;
        for (double a : v) {
            vn += a * a;
        }
        vn = Math.sqrt(vn);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double dot = 0, xn = 0;
            for (int j = 0; j < v.length; j++) {
                double xi = x[i][j] - mean[j];
                dot += xi * v[j];
                xn += xi * xi;
            }
            out[i] = xn == 0 || vn == 0 ? 0 : dot / (Math.sqrt(xn) * vn);
        }
        return out;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("directions: " + message);
        }
    }
}
