package org.polytopelens.analysis.clusters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.TokenDataset;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.PointSet;
import org.polytopelens.api.data.SoftCodePoints;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Table;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TokenInContext;
import org.polytopelens.api.data.VectorPoints;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * Clustering (the paper's Prediction 1): the first {@code max_points} examples' points of the
 * layer's space, or their codes for the sites downstream of it, partitioned by a clustering
 * plugin (HDBSCAN* by default); each cluster's size, label purity and mean within-cluster
 * distance, the adjusted Rand index against the labels, and the clusters shown by their examples.
 *
 * <p>The analysis context offers no clustering algorithms, so this component takes every
 * registered {@link ClusteringAlgorithm} service (dynamic, greedy) and picks one by id per run.
 */
@Component(service = Analysis.class)
@Designate(ocd = ClusterAnalysis.Config.class)
public final class ClusterAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Clustering (Prediction 1)",
            description = "Clusters activations (Euclidean/cosine) or spline codes (Hamming; soft codes: expected Hamming) with a clustering plugin;"
                    + " purity against the labels, adjusted Rand index, example galleries.")
    public @interface Config {
        @AttributeDefinition(name = "Algorithm", description = "Id of the clustering plugin (see `workbench plugins`).")
        String algorithm() default "hdbscan";

        @AttributeDefinition(name = "Space", description = "Cluster the codes of the sites downstream of the layer, or the layer's activations.",
                options = {@Option(value = "codes", label = "Spline codes"), @Option(value = "activations", label = "Activations")})
        String space() default "codes";

        @AttributeDefinition(name = "Metric", description = "Distance between activations (space: activations).",
                options = {@Option(value = "euclidean", label = "Euclidean"), @Option(value = "cosine", label = "1 - cosine similarity")})
        String metric() default "euclidean";

        @AttributeDefinition(name = "Soft codes", description = "Cluster soft codes with the expected Hamming distance (GELU/SiLU networks) instead of hard codes.")
        boolean soft() default false;

        @AttributeDefinition(name = "Min cluster size", description = "Passed to the algorithm as min_cluster_size.", min = "2")
        int min_cluster_size() default 10;

        @AttributeDefinition(name = "Min samples", description = "Passed to the algorithm as min_samples (0 = min cluster size).", min = "0")
        int min_samples() default 0;

        @AttributeDefinition(name = "Selection", description = "Passed to the algorithm as selection: excess of mass or leaves.",
                options = {@Option(value = "eom", label = "Excess of mass"), @Option(value = "leaf", label = "Leaves")})
        String selection() default "eom";

        @AttributeDefinition(name = "Max points", description = "Cluster the first N dataset examples (HDBSCAN* is O(N^2) distances).", min = "2")
        int max_points() default 2000;

        @AttributeDefinition(name = "Gallery", description = "Examples shown per cluster (image grid and text listing).", min = "1")
        int gallery() default 16;

        @AttributeDefinition(name = "Algorithm parameters", description = "Further parameters of the algorithm as key=value, e.g. [k=10] for kmeans, "
                + "[eps=6, min_points=5] for dbscan, [linkage=ward, k=10] for hierarchical (see `workbench plugins`); they override the ones above.")
        String[] algorithm_params() default {};
    }

    /** Clusters shown in the gallery and the histogram (largest first); all are in clusters.json. */
    static final int SHOWN = 12;

    /** Examples per call of the context's points and encoder. */
    static final int BLOCK = 256;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Reference(service = ClusteringAlgorithm.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ClusteringAlgorithm> algorithms = List.of();

    public ClusterAnalysis() {}

    /** With the algorithms given directly (tests, use outside OSGi). */
    public ClusterAnalysis(List<ClusteringAlgorithm> algorithms) {
        this.algorithms = List.copyOf(algorithms);
    }

    @Override
    public String id() {
        return "clusters";
    }

    @Override
    public String name() {
        return "Clustering (Prediction 1)";
    }

    @Override
    public String description() {
        return "Clusters the layer's activations or the codes downstream of it with a clustering plugin (hdbscan by default): per cluster size,"
                + " majority class and purity, mean within-cluster distance; noise; adjusted Rand index vs the labels. Writes clusters.json,"
                + " clusters.npy, clusters-examples.txt and, for image data, clusters-gallery.png; publishes clusters-summary and clusters-histogram.";
    }

    /** One cluster's statistics; majority and purity are null without labels. */
    record Cluster(int id, int size, Integer majorityClass, Double purity, double meanDistance, int[] members) {}

    record Outcome(String role, String distance, int dimension, Clustering clustering, List<Cluster> clusters, int noise, Double ari, double seconds) {}

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        ClusteringAlgorithm algorithm = algorithm(c.algorithm());
        check(c.space().equals("codes") || c.space().equals("activations"), "space must be \"codes\" or \"activations\", got \"" + c.space() + "\"");
        check(c.metric().equals("euclidean") || c.metric().equals("cosine"), "metric must be \"euclidean\" or \"cosine\", got \"" + c.metric() + "\"");
        check(c.max_points() >= 2, "max_points must be >= 2, got " + c.max_points());
        check(c.gallery() >= 1, "gallery must be >= 1 example per cluster, got " + c.gallery());
        int n = Math.min(c.max_points(), ctx.dataset().size());
        check(n >= 2, "the dataset has " + ctx.dataset().size() + " examples: clustering needs at least 2");
        int[] labels = ctx.dataset().labels().orElse(null);
        check(labels == null || labels.length >= n, "the dataset has " + n + " examples but " + (labels == null ? 0 : labels.length) + " labels");
        Map<String, Object> algoParams = new LinkedHashMap<>();
        // Metatype ids of the algorithm's schema (min_cluster_size() -> min.cluster.size).
        algoParams.put("min.cluster.size", c.min_cluster_size());
        algoParams.put("min.samples", c.min_samples());
        algoParams.put("selection", c.selection());
        algoParams.putAll(Parameters.keyValues(c.algorithm_params(), "algorithm_params"));
        ctx.log("clusters: " + n + " examples, " + (c.space().equals("codes") ? (c.soft() ? "soft codes" : "hard codes") : c.metric() + " activations")
                + " of layer '" + ctx.layer() + "', algorithm " + algorithm.id() + " " + algoParams + (labels == null ? ", no labels" : ""));

        List<Outcome> outcomes = new ArrayList<>();
        int mi = 0, models = ctx.models().size();
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            ctx.progress().report((double) mi++ / models, e.getKey() + ": " + n + " points");
            outcomes.add(cluster(ctx, e.getKey(), e.getValue(), n, labels, c, algorithm, Parameters.of(algoParams)));
        }
        ctx.progress().report(1, "clusters done");
        boolean several = outcomes.size() > 1;
        for (Outcome o : outcomes) {
            String suffix = several ? "-" + o.role() : "";
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = o.clustering().labels()[i];
            }
            ctx.results().write("clusters" + suffix + ".npy", s -> {
                NpyWriter w = NpyWriter.to(s, NpyDtype.INT64, new long[] {n});
                w.append(out);
                w.close();
            });
            publish(ctx, o, suffix, labels, several);
            examples(ctx, o, suffix, c.gallery());
        }
        write(ctx, c, algorithm.id(), algoParams, n, labels != null, outcomes);
    }

    ClusteringAlgorithm algorithm(String id) {
        List<ClusteringAlgorithm> all = algorithms;
        for (ClusteringAlgorithm a : all) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        List<String> ids = all.stream().map(ClusteringAlgorithm::id).sorted().toList();
        throw new IllegalArgumentException("unknown clustering algorithm '" + id + "': available " + (ids.isEmpty()
                ? "none (install the clustering feature, e.g. hdbscan)" : ids));
    }

    private static Outcome cluster(AnalysisContext ctx, String role, Model model, int n, int[] labels, Config c, ClusteringAlgorithm algorithm,
            Parameters algoParams) throws Exception {
        long t0 = System.nanoTime();
        PointSet points;
        String distance;
        int dimension;
        if (c.space().equals("activations")) {
            List<float[]> parts = new ArrayList<>();
            long[] shape = null;
            for (int from = 0; from < n; from += BLOCK) {
                ctx.progress().checkCancelled();
                Tensor t = ctx.points(model, from, Math.min(n, from + BLOCK));
                shape = t.pointShape();
                parts.add(t.data());
            }
            float[] all = new float[parts.stream().mapToInt(p -> p.length).sum()];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            Tensor t = Tensor.batch(n, shape, all);
            dimension = t.rowSize();
            boolean cosine = c.metric().equals("cosine");
            points = new VectorPoints(t, cosine ? VectorPoints.Metric.COSINE : VectorPoints.Metric.EUCLIDEAN);
            distance = cosine ? "cosine (1 - cosine similarity)" : "euclidean";
        } else {
            SpaceEncoder encoder = ctx.encoder(model);
            dimension = encoder.layout().bits();
            if (dimension == 0) {
                throw new IllegalArgumentException("no coded sites downstream of layer '" + ctx.layer() + "' in model '" + role
                        + "': choose a layer before the last nonlinearity, or space: activations");
            }
            List<SplineCodes> hard = new ArrayList<>();
            List<SoftCodes> soft = new ArrayList<>();
            for (int from = 0; from < n; from += BLOCK) {
                ctx.progress().checkCancelled();
                int to = Math.min(n, from + BLOCK);
                // through the context: the run's other steps share these codes
                if (c.soft()) {
                    soft.add(ctx.softCodes(model, from, to));
                } else {
                    hard.add(ctx.codes(model, from, to));
                }
            }
            if (c.soft()) {
                float[] p = new float[n * soft.get(0).neurons()];
                int at = 0;
                for (SoftCodes s : soft) {
                    System.arraycopy(s.p(), 0, p, at, s.p().length);
                    at += s.p().length;
                }
                points = new SoftCodePoints(new SoftCodes(n, soft.get(0).neurons(), p), false);
                distance = "expected hamming (soft codes)";
            } else {
                points = new CodePoints(SplineCodes.concatRows(hard));
                distance = "hamming";
            }
        }
        Clustering cl = algorithm.cluster(points, algoParams, ctx.progress());
        check(cl.size() == n, "algorithm " + algorithm.id() + " labelled " + cl.size() + " points of " + n);
        List<Cluster> clusters = new ArrayList<>();
        int noise = 0;
        int[] sizes = new int[cl.clusters()];
        for (int l : cl.labels()) {
            if (l == Clustering.NOISE) {
                noise++;
            } else {
                sizes[l]++;
            }
        }
        int[][] members = new int[cl.clusters()][];
        for (int k = 0; k < members.length; k++) {
            members[k] = new int[sizes[k]];
        }
        int[] fill = new int[cl.clusters()];
        for (int i = 0; i < n; i++) {
            int l = cl.labels()[i];
            if (l != Clustering.NOISE) {
                members[l][fill[l]++] = i;
            }
        }
        for (int k = 0; k < members.length; k++) {
            int[] m = members[k];
            Integer major = null;
            Double purity = null;
            if (labels != null && m.length > 0) {
                int[] mc = Stats.majority(m, labels);
                major = mc[0];
                purity = (double) mc[1] / m.length;
            }
            clusters.add(new Cluster(k, m.length, major, purity, Stats.meanDistance(points, m, ctx.progress()), m));
        }
        clusters.sort(Comparator.comparingInt(Cluster::size).reversed().thenComparingInt(Cluster::id));
        Double ari = labels == null ? null : Stats.adjustedRand(cl.labels(), Arrays.copyOf(labels, n));
        double seconds = (System.nanoTime() - t0) / 1e9;
        ctx.log("clusters " + role + ": " + cl.clusters() + " clusters, " + noise + " noise of " + n + (ari == null ? "" : ", ARI vs labels " + ari)
                + String.format(" (%.2f s)", seconds));
        return new Outcome(role, distance, dimension, cl, clusters, noise, ari, seconds);
    }

    private static void publish(AnalysisContext ctx, Outcome o, String suffix, int[] labels, boolean several) throws Exception {
        String of = several ? " (" + o.role() + ")" : "";
        List<List<Object>> rows = new ArrayList<>();
        for (Cluster k : o.clusters()) {
            rows.add(Arrays.asList(k.id(), k.size(), k.majorityClass() == null ? "" : k.majorityClass(), k.purity() == null ? "" : round(k.purity()),
                    round(k.meanDistance())));
        }
        rows.add(Arrays.asList("noise", o.noise(), "", "", ""));
        ctx.results().publish(new Table("clusters-summary" + suffix, o.clustering().clusters() + " clusters of " + o.clustering().size() + " points"
                + (o.ari() == null ? "" : ", ARI vs labels " + round(o.ari())) + of, List.of("cluster", "size", "majority class", "purity",
                        "mean " + o.distance() + " distance"), rows));
        List<Cluster> shown = o.clusters().subList(0, Math.min(SHOWN, o.clusters().size()));
        if (labels != null && !shown.isEmpty()) {
            // Labels per cluster: one colour per shown cluster, so a pure cluster is one bar.
            int total = shown.stream().mapToInt(Cluster::size).sum();
            double[] values = new double[total];
            int[] groups = new int[total];
            List<String> names = new ArrayList<>();
            int at = 0;
            for (int g = 0; g < shown.size(); g++) {
                Cluster k = shown.get(g);
                names.add("cluster " + k.id());
                for (int i : k.members()) {
                    values[at] = labels[i];
                    groups[at++] = g;
                }
            }
            int classes = Arrays.stream(labels, 0, o.clustering().size()).max().orElse(0) + 1;
            ctx.results().publish(new Histogram("clusters-histogram" + suffix, "Dataset labels per cluster (largest " + shown.size() + ")" + of,
                    "label", values, groups, names, Math.max(1, Math.min(classes, 100))));
        } else if (!o.clusters().isEmpty()) {
            double[] sizes = o.clusters().stream().mapToDouble(Cluster::size).toArray();
            ctx.results().publish(new Histogram("clusters-histogram" + suffix, "Cluster sizes" + of, "points in cluster", sizes, null, null,
                    Math.max(1, Math.min(20, sizes.length))));
        }
    }

    /**
     * The clusters by their examples: a text listing always (indices and the dataset's
     * description), and an image grid when the dataset's points are images ({@link
     * Gallery#imageShape}). Members in dataset order; the largest {@link #SHOWN} clusters.
     */
    private static void examples(AnalysisContext ctx, Outcome o, String suffix, int perCluster) throws Exception {
        List<Cluster> shown = o.clusters().subList(0, Math.min(SHOWN, o.clusters().size()));
        ctx.results().write("clusters-examples" + suffix + ".txt", out -> {
            PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8));
            w.println("# " + o.clustering().clusters() + " clusters, " + o.noise() + " noise points of " + o.clustering().size() + " (" + o.role()
                    + "); first " + perCluster + " examples of the largest " + shown.size() + " clusters: dataset index <TAB> description");
            for (Cluster k : shown) {
                w.println();
                w.println("cluster " + k.id() + ": " + k.size() + " points" + (k.majorityClass() == null ? ""
                        : ", majority class " + k.majorityClass() + " (" + Math.round(100 * k.purity()) + "%)"));
                for (int t = 0; t < Math.min(perCluster, k.members().length); t++) {
                    int i = k.members()[t];
                    w.println(i + "\t" + ctx.dataset().describe(i).replace('\n', ' '));
                }
            }
            w.flush();
        });
        if (shown.isEmpty()) {
            return;
        }
        if (ctx.dataset() instanceof TokenDataset tokens) {
            List<Gallery.TokenRow> rows = new ArrayList<>();
            for (Cluster k : shown) {
                List<TokenInContext> ts = new ArrayList<>();
                for (int t = 0; t < Math.min(perCluster, k.members().length); t++) {
                    ts.add(tokens.token(k.members()[t]));
                }
                rows.add(new Gallery.TokenRow("cluster " + k.id() + " (" + k.size() + " tokens)" + (k.majorityClass() == null ? ""
                        : ", class " + k.majorityClass() + ": " + Math.round(100 * k.purity()) + "%"), ts));
            }
            java.awt.image.BufferedImage img = Gallery.renderTokens(rows);
            ctx.results().write("clusters-gallery" + suffix + ".png", out -> Gallery.writePng(img, out));
            return;
        }
        int[] hw = Gallery.imageShape(ctx.dataset().batch(0, 1).pointShape());
        if (hw == null) {
            return;
        }
        List<Gallery.Row> rows = new ArrayList<>();
        for (Cluster k : shown) {
            List<float[]> tiles = new ArrayList<>();
            for (int t = 0; t < Math.min(perCluster, k.members().length); t++) {
                int i = k.members()[t];
                tiles.add(ctx.dataset().batch(i, i + 1).data());
            }
            rows.add(new Gallery.Row("cluster " + k.id() + " (" + k.size() + ")" + (k.majorityClass() == null ? ""
                    : "\nclass " + k.majorityClass() + ": " + Math.round(100 * k.purity()) + "%"), tiles));
        }
        java.awt.image.BufferedImage img = Gallery.render(rows, perCluster, hw[0], hw[1]);
        ctx.results().write("clusters-gallery" + suffix + ".png", out -> Gallery.writePng(img, out));
    }

    private static void write(AnalysisContext ctx, Config c, String algorithm, Map<String, Object> algoParams, int n, boolean labelled,
            List<Outcome> outcomes) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("algorithm", algorithm);
        Map<String, Object> ap = new LinkedHashMap<>();
        algoParams.forEach((k, v) -> ap.put(k.replace('.', '_'), v));
        json.put("algorithm_params", ap);
        json.put("space", c.space());
        json.put("layer", ctx.layer());
        json.put("points", n);
        json.put("labels", labelled);
        Map<String, Object> byRole = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("distance", o.distance());
            m.put(c.space().equals("codes") ? "code_bits" : "dimension", o.dimension());
            m.put("clusters", o.clustering().clusters());
            m.put("noise", o.noise());
            if (o.ari() != null) {
                // Noise counts as one more cluster, as scikit-learn's adjusted_rand_score on raw labels.
                m.put("adjusted_rand_index", o.ari());
            }
            m.put("seconds", o.seconds());
            List<Map<String, Object>> list = new ArrayList<>();
            for (Cluster k : o.clusters()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("id", k.id());
                e.put("size", k.size());
                if (k.purity() != null) {
                    e.put("majority_class", k.majorityClass());
                    e.put("purity", k.purity());
                }
                e.put("mean_distance", Double.isNaN(k.meanDistance()) ? null : k.meanDistance());
                list.add(e);
            }
            m.put("cluster_list", list);
            byRole.put(o.role(), m);
        }
        json.put("models", byRole);
        ctx.results().write("clusters.json", out -> JSON.writeValue(out, json));
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1e4) / 1e4;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
