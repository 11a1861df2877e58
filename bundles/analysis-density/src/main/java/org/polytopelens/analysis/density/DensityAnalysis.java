package org.polytopelens.analysis.density;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.Table;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * Polytope density between pairs of points (the paper's Prediction 2): for points a, b of the
 * layer's space with codes from the layer to the output, {@code density = hamming(code a, code
 * b) / ||a - b||}, normalised by the mean density over all pairs looked at; intra-class pairs
 * (same label) against inter-class pairs, each with its mean, a bootstrap confidence interval,
 * and Welch's t-test between them. With several models (e.g. trained and untrained) the same
 * pairs are measured in each and reported side by side.
 *
 * <p>Points and codes are computed once per model (codes stay bit-packed); the pairs are then
 * blocks of a fixed size run as shards, each keeping only running moments (and, up to {@value
 * #KEEP} pairs, the pair's density for the bootstrap and {@code density-pairs.npy}), so all
 * pairs of a large dataset need memory linear in the points, not in the pairs.
 */
@Component(service = Analysis.class)
@Designate(ocd = DensityAnalysis.Config.class)
public final class DensityAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Polytope density between pairs",
            description = "Hamming distance of spline codes over Euclidean distance for pairs of points, intra- vs inter-class (Prediction 2).")
    public @interface Config {
        @AttributeDefinition(name = "Pairs", description = "Pairs sampled uniformly without replacement (seeded); 0 = all pairs.", min = "0")
        int pairs() default 20000;

        @AttributeDefinition(name = "Seed", description = "Seed of the pair sample and the bootstrap.")
        long seed() default 1;

        @AttributeDefinition(name = "Bootstrap resamples", description = "Resamples for the percentile bootstrap confidence intervals.", min = "1")
        int bootstrap() default 10000;

        @AttributeDefinition(name = "Confidence", description = "Confidence level of the intervals, in (0, 1).", min = "0", max = "1")
        double confidence() default 0.99;

        @AttributeDefinition(name = "Soft", description = "Soft codes and expected Hamming distance (GELU/SiLU networks) instead of hard codes and Hamming distance.")
        boolean soft() default false;

        @AttributeDefinition(name = "Batch size", description = "Examples per batch when computing points and codes.", min = "1")
        int batch_size() default 256;

        @AttributeDefinition(name = "Max points", description = "Use the first N dataset examples; 0 = all.", min = "0")
        int max_points() default 0;
    }

    /** Most pairs whose densities are kept (float32 each) for the bootstrap and density-pairs.npy; also where float32 indices stay exact. */
    static final long KEEP = 1L << 24;

    /** Pairs per shard, fixed so the merged moments do not depend on the number of threads. */
    static final int MIN_BLOCK = 4096;

    static final String LABELS_REQUIRED = "the density analysis needs class labels: give the dataset a labels file (e.g. dataset: {provider: npy, path: x.npy, labels: y.npy})";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String id() {
        return "density";
    }

    @Override
    public String name() {
        return "Polytope density between pairs";
    }

    @Override
    public String description() {
        return "Hamming distance of spline codes (layer to output) over Euclidean distance between pairs of points, normalised by the mean;"
                + " intra- vs inter-class means with bootstrap CIs and Welch's t-test, per model. Writes density.json.";
    }

    /** One group of pairs (intra- or inter-class) in one model, normalised. */
    record Group(long n, double mean, double variance, double meanRaw, Bootstrap.Interval ci) {}

    /** One model's result. */
    record ModelResult(String role, int bits, long pairs, long skipped, double meanRaw, Group intra, Group inter, Welch welch, float[] normalised) {}

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        check(c.pairs() >= 0, "pairs must be >= 0 (0 = all pairs), got " + c.pairs());
        check(c.bootstrap() >= 1, "bootstrap must be >= 1 resample, got " + c.bootstrap());
        check(c.confidence() > 0 && c.confidence() < 1, "confidence must be in (0, 1), got " + c.confidence());
        check(c.batch_size() >= 1, "batch_size must be >= 1, got " + c.batch_size());
        check(c.max_points() >= 0, "max_points must be >= 0 (0 = all examples), got " + c.max_points());

        int[] labels = ctx.dataset().labels().orElseThrow(() -> new IllegalArgumentException(LABELS_REQUIRED));
        int size = ctx.dataset().size();
        int n = c.max_points() == 0 ? size : Math.min(c.max_points(), size);
        check(labels.length >= n, "the dataset has " + size + " examples but " + labels.length + " labels");
        check(n >= 2, "the density analysis needs at least 2 points, the dataset gives " + n);

        Pairs pairs = Pairs.sample(n, c.pairs(), c.seed());
        boolean keep = pairs.size() <= KEEP;
        ctx.log("density: " + n + " points, " + pairs.size() + (pairs.isAll() ? " (all) pairs" : " sampled pairs") + ", layer '" + ctx.layer()
                + "', " + (c.soft() ? "soft codes" : "hard codes") + "; distances: " + SimdDots.describe());

        List<ModelResult> results = new ArrayList<>();
        int models = ctx.models().size(), mi = 0;
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            Progress p = ctx.progress();
            double base = (double) mi / models, span = 1.0 / models;
            p.report(base, e.getKey() + ": points and codes of " + n + " examples");
            Space space = Space.extract(ctx, e.getValue(), n, c.batch_size(), c.soft(), p);
            p.report(base + 0.4 * span, e.getKey() + ": densities of " + pairs.size() + " pairs");
            results.add(measure(ctx, e.getKey(), space, labels, pairs, keep, c, p));
            mi++;
        }
        ctx.progress().report(1, "density done");

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("layer", ctx.layer());
        json.put("codes", c.soft() ? "soft (expected Hamming distance)" : "hard (Hamming distance)");
        json.put("points", n);
        json.put("pairs_sampled", pairs.size());
        json.put("all_pairs", pairs.isAll());
        json.put("seed", c.seed());
        json.put("bootstrap", c.bootstrap());
        json.put("confidence", c.confidence());
        Map<String, Object> byRole = new LinkedHashMap<>();
        for (ModelResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code_bits", r.bits());
            m.put("pairs", r.pairs());
            m.put("skipped", r.skipped());
            m.put("mean_raw_density", finite(r.meanRaw()));
            m.put("intra", group(r.intra()));
            m.put("inter", group(r.inter()));
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("t", finite(r.welch().t()));
            w.put("df", finite(r.welch().df()));
            w.put("p", finite(r.welch().p()));
            m.put("welch", w);
            byRole.put(r.role(), m);
        }
        json.put("models", byRole);
        if (keep) {
            List<String> cols = new ArrayList<>(List.of("i", "j"));
            results.forEach(r -> cols.add(r.role()));
            json.put("pairs_file", "density-pairs.npy");
            json.put("pairs_file_columns", cols);
            writePairs(ctx, pairs, results);
        }
        ctx.results().write("density.json", out -> JSON.writeValue(out, json));
        publish(ctx, c, n, pairs, results);
    }

    /** Densities of every pair (sharded in blocks), then normalisation, groups, intervals and the test. */
    private static ModelResult measure(AnalysisContext ctx, String role, Space space, int[] labels, Pairs pairs, boolean keep, Config c, Progress progress) {
        Block merged = pairDensities(ctx.engine(), progress, space, labels, pairs, keep);

        double norm = merged.all().meanOrNaN();
        float[] normalised = null;
        float[][] byGroup = null;
        if (merged.raw() != null) {
            normalised = new float[merged.raw().length];
            byGroup = new float[][] {new float[(int) merged.intra().n], new float[(int) merged.inter().n]};
            int[] fill = new int[2];
            for (int k = 0; k < normalised.length; k++) {
                float raw = merged.raw()[k];
                normalised[k] = (float) (raw / norm);
                if (!Float.isNaN(raw)) {
                    long key = pairs.key(k);
                    int i = pairs.first(key), j = pairs.second(key, i);
                    int g = labels[i] == labels[j] ? 0 : 1;
                    byGroup[g][fill[g]++] = (float) (raw / norm);
                }
            }
        }
        Group intra = group(ctx, role, "intra", merged.intra(), norm, byGroup == null ? null : byGroup[0], 0, c, progress);
        Group inter = group(ctx, role, "inter", merged.inter(), norm, byGroup == null ? null : byGroup[1], 1, c, progress);
        Welch welch = Welch.of(intra.mean(), intra.variance(), intra.n(), inter.mean(), inter.variance(), inter.n());
        ctx.log("density " + role + ": intra " + intra.mean() + " (" + intra.n() + " pairs), inter " + inter.mean() + " (" + inter.n()
                + " pairs), Welch t(" + welch.df() + ") = " + welch.t() + ", p = " + welch.p() + (merged.skipped() > 0 ? "; skipped "
                        + merged.skipped() + " pairs at distance 0" : ""));
        return new ModelResult(role, space.bits(), merged.all().n, merged.skipped(), norm, intra, inter, welch, normalised);
    }

    private static Group group(AnalysisContext ctx, String role, String name, Moments m, double norm, float[] values, int stream, Config c,
            Progress progress) {
        double mean = m.meanOrNaN() / norm, variance = m.variance() / (norm * norm);
        Bootstrap.Interval ci;
        if (values != null && (long) c.bootstrap() * values.length <= Bootstrap.BUDGET) {
            ci = Bootstrap.percentile(values, c.bootstrap(), c.confidence(), c.seed(), stream, ctx.engine(), progress);
        } else {
            ctx.log("density " + role + " " + name + ": " + m.n + " pairs are too many to resample " + c.bootstrap()
                    + " times; the interval is the normal approximation");
            ci = Bootstrap.normal(mean, variance, m.n, c.confidence());
        }
        return new Group(m.n, mean, variance, m.meanOrNaN(), ci);
    }

    /** density-pairs.npy: float32 [pairs, 2 + models]: i, j, then each model's normalised density (NaN where skipped). */
    private static void writePairs(AnalysisContext ctx, Pairs pairs, List<ModelResult> results) throws Exception {
        int cols = 2 + results.size();
        ctx.results().write("density-pairs.npy", out -> {
            NpyWriter w = NpyWriter.to(out, NpyDtype.FLOAT32, new long[] {pairs.size(), cols});
            float[] row = new float[cols];
            for (int k = 0; k < pairs.size(); k++) {
                long key = pairs.key(k);
                int i = pairs.first(key);
                row[0] = i;
                row[1] = pairs.second(key, i);
                for (int m = 0; m < results.size(); m++) {
                    row[2 + m] = results.get(m).normalised()[k];
                }
                w.append(row);
            }
            w.close();
        });
    }

    private static void publish(AnalysisContext ctx, Config c, int n, Pairs pairs, List<ModelResult> results) throws Exception {
        String level = Math.round(c.confidence() * 1000) / 10.0 + "%";
        String where = ctx.layer().isEmpty() ? "input space" : "layer " + ctx.layer();
        List<List<Object>> rows = new ArrayList<>();
        for (ModelResult r : results) {
            rows.add(List.of(r.role(), r.pairs(), r.skipped(), r.meanRaw(), r.intra().n(), r.intra().mean(), r.intra().ci().low(), r.intra().ci().high(),
                    r.inter().n(), r.inter().mean(), r.inter().ci().low(), r.inter().ci().high(), r.welch().t(), r.welch().df(), r.welch().p()));
        }
        ctx.results().publish(new Table("density-summary", "Polytope density between pairs (" + where + ", " + n + " points, " + pairs.size()
                + (pairs.isAll() ? " pairs: all" : " sampled pairs") + "; normalised by the mean over all pairs; " + level + " CIs)",
                List.of("model", "pairs", "skipped (distance 0)", "mean raw density", "intra pairs", "intra mean", "intra CI low", "intra CI high",
                        "inter pairs", "inter mean", "inter CI low", "inter CI high", "Welch t", "Welch df", "p (two-sided)"),
                rows));

        int s = results.size();
        double[][] values = new double[s][], lower = new double[s][], upper = new double[s][];
        for (int m = 0; m < s; m++) {
            ModelResult r = results.get(m);
            values[m] = new double[] {r.intra().mean(), r.inter().mean()};
            lower[m] = new double[] {r.intra().ci().low(), r.inter().ci().low()};
            upper[m] = new double[] {r.intra().ci().high(), r.inter().ci().high()};
        }
        // Large groups fall back to the normal interval; name every method used.
        String methods = String.join(" / ", results.stream().flatMap(r -> java.util.stream.Stream.of(r.intra(), r.inter()))
                .map(g -> g.ci().method()).filter(m -> !m.equals("none")).distinct().toList());
        ctx.results().publish(new BarPlot("density-intra-inter", "Normalised polytope density, same-class vs different-class pairs (" + where
                + "; error bars: " + level + " " + methods + " CI)", "normalised polytope density (1 = mean over all pairs)",
                List.of("intra-class", "inter-class"), results.stream().map(ModelResult::role).toList(), values, lower, upper));
    }

    private static Map<String, Object> group(Group g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", g.n());
        m.put("mean", finite(g.mean()));
        m.put("ci_low", finite(g.ci().low()));
        m.put("ci_high", finite(g.ci().high()));
        m.put("ci_method", g.ci().method());
        m.put("sd", finite(Math.sqrt(g.variance())));
        m.put("mean_raw", finite(g.meanRaw()));
        return m;
    }

    /** JSON has no NaN or infinity: undefined values are null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Points per side of a tile of the all-pairs loop: two tiles' points (784 floats each: 400 KB) stay in L2 while all their pairs are visited. */
    static final int TILE = 64;

    /**
     * All pairs, tile by tile: block I of {@link #TILE} points against block J >= I, every pair
     * (i < j) once, so each point's row is read from memory once per tile rather than once per
     * pair (row by row, 20,000 points of 784 floats stream 63 MB per row: the loop was bound by
     * memory). Shards are runs of tiles in a fixed order, merged in that order: the result does not
     * depend on the thread count. A kept raw value goes to its pair's key, as in the row-by-row loop.
     */
    static Block tiledDensities(Engine engine, Progress progress, Space space, int[] labels, Pairs pairs, boolean keep) {
        int n = pairs.points();
        int blocks = (n + TILE - 1) / TILE;
        long tiles = (long) blocks * (blocks + 1) / 2;
        int perShard = (int) Math.max(1, (tiles + 255) / 256);
        int shards = (int) ((tiles + perShard - 1) / perShard);
        long total = pairs.size();
        // tile t -> (I, J): row-major over I, J >= I
        long[] rowFirstTile = new long[blocks + 1];
        for (int b = 0; b < blocks; b++) {
            rowFirstTile[b + 1] = rowFirstTile[b] + (blocks - b);
        }
        // Every pair has its own slot: shards write disjoint indices (the engine's join publishes them).
        float[] rawAll = keep ? new float[Math.toIntExact(total)] : null;
        return engine.run(new Sharded<Block>() {
            @Override
            public int shards() {
                return shards;
            }

            @Override
            public Block shard(int index, Progress p) {
                Acc acc = new Acc();
                double[] dots = new double[TILE * TILE];
                long t0 = (long) index * perShard, t1 = Math.min(tiles, t0 + perShard);
                int bi = 0;
                while (rowFirstTile[bi + 1] <= t0) {
                    bi++;
                }
                for (long t = t0; t < t1; t++) {
                    p.checkCancelled();
                    while (rowFirstTile[bi + 1] <= t) {
                        bi++;
                    }
                    int bj = bi + (int) (t - rowFirstTile[bi]);
                    int i0 = bi * TILE, i1 = Math.min(n, i0 + TILE), j0 = bj * TILE, j1 = Math.min(n, j0 + TILE);
                    // The whole square even on the diagonal (its lower half unused): 1 / blocks of the work.
                    space.tileDots(i0, i1, j0, j1, dots, TILE);
                    for (int i = i0; i < i1; i++) {
                        for (int j = Math.max(j0, i + 1); j < j1; j++) {
                            float raw = acc.add(space, labels, i, j, space.distance(i, j, dots[(i - i0) * TILE + (j - j0)]));
                            if (rawAll != null) {
                                rawAll[(int) (pairs.rowStart(i) + j - i - 1)] = raw;
                            }
                        }
                    }
                }
                return acc.block(null);
            }

            @Override
            public Block merge(List<Block> parts) {
                return Acc.merge(parts, rawAll);
            }
        }, progress);
    }

    /** Merged moments of the pairs' densities (all, intra, inter), the skipped pairs, and the raw values if kept. */
    record Block(long skipped, Moments all, Moments intra, Moments inter, float[] raw) {}

    /** A shard's moments of pair densities: overall, intra- and inter-class, and the skipped pairs. */
    private static final class Acc {
        final Moments all = new Moments(), intra = new Moments(), inter = new Moments();
        long skipped;

        /** Adds pair (i, j); returns its density, or NaN for the same point twice (no distance to divide by: skipped). */
        float add(Space space, int[] labels, int i, int j, double dist) {
            if (dist == 0) {
                skipped++;
                return Float.NaN;
            }
            double d = space.codeDistance(i, j) / dist;
            all.add(d);
            (labels[i] == labels[j] ? intra : inter).add(d);
            return (float) d;
        }

        Block block(float[] raw) {
            return new Block(skipped, all, intra, inter, raw);
        }

        /** The shards' blocks merged in their order (the result does not depend on the thread count). */
        static Block merge(List<Block> parts, float[] raw) {
            Acc a = new Acc();
            for (Block b : parts) {
                a.skipped += b.skipped();
                a.all.add(b.all());
                a.intra.add(b.intra());
                a.inter.add(b.inter());
            }
            return a.block(raw);
        }
    }

    /**
     * The pair loop: code distance over Euclidean distance for every pair, all pairs tile by tile,
     * sampled pairs in blocks, as shards (also driven by the JMH benchmark).
     */
    static Block pairDensities(Engine engine, Progress progress, Space space, int[] labels, Pairs pairs, boolean keep) {
        if (pairs.isAll() && pairs.points() > TILE) {
            return tiledDensities(engine, progress, space, labels, pairs, keep);
        }
        long total = pairs.size();
        int block = (int) Math.max(MIN_BLOCK, (total + 255) / 256);
        int shards = (int) ((total + block - 1) / block);
        return engine.run(new Sharded<Block>() {
            @Override
            public int shards() {
                return shards;
            }

            @Override
            public Block shard(int index, Progress p) {
                long from = (long) index * block, to = Math.min(total, from + block);
                Acc acc = new Acc();
                float[] raw = keep ? new float[(int) (to - from)] : null;
                for (long k = from; k < to; k++) {
                    if ((k & 1023) == 0) {
                        p.checkCancelled();
                    }
                    long key = pairs.key(k);
                    int i = pairs.first(key), j = pairs.second(key, i);
                    float d = acc.add(space, labels, i, j, space.distance(i, j));
                    if (raw != null) {
                        raw[(int) (k - from)] = d;
                    }
                }
                return acc.block(raw);
            }

            @Override
            public Block merge(List<Block> parts) {
                float[] raw = keep ? new float[(int) total] : null;
                int at = 0;
                for (Block b : parts) {
                    if (raw != null) {
                        System.arraycopy(b.raw(), 0, raw, at, b.raw().length);
                        at += b.raw().length;
                    }
                }
                return Acc.merge(parts, raw);
            }
        }, progress);
    }
}
