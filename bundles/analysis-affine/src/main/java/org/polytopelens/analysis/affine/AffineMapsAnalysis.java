package org.polytopelens.analysis.affine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.AffineMap;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.api.data.Table;
import org.polytopelens.api.data.Tensor;

/**
 * The paper's footnote 8: polytopes close in Hamming distance compute similar affine maps. Walks
 * segments between dataset examples exactly, takes the affine map from the layer to the output
 * in every region crossed, and relates the Frobenius distance between two regions' maps to the
 * Hamming distance between their codes, for region pairs up to {@code max_gap} steps apart on a
 * path. Needs a piecewise-linear (white-box) backend.
 */
@Component(service = Analysis.class)
@Designate(ocd = AffineMapsAnalysis.Config.class)
public final class AffineMapsAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Local affine maps", description = "Frobenius distance between the affine maps of nearby polytopes against their Hamming distance.")
    public @interface Config {
        @AttributeDefinition(name = "Paths", description = "Segments walked between random pairs of distinct dataset examples.", min = "1")
        int paths() default 50;

        @AttributeDefinition(name = "Max gap", description = "Compare regions up to this many region changes apart on a path.", min = "1")
        int max_gap() default 10;

        @AttributeDefinition(name = "Max regions", description = "Regions per path taken from its start (each costs one affine map).", min = "2")
        int max_regions() default 200;

        @AttributeDefinition(name = "Max points", description = "Draw path endpoints from the first N examples; 0 for all.", min = "0")
        int max_points() default 1000;

        @AttributeDefinition(name = "Seed", description = "Seed of the endpoint pairs.")
        long seed() default 1;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String id() {
        return "affine-maps";
    }

    @Override
    public String name() {
        return "Local affine maps (footnote 8)";
    }

    @Override
    public String description() {
        return "On exact segment walks between examples: the Frobenius distance ||A_r - A_s|| between the affine maps (layer -> output) of two"
                + " regions against the Hamming distance of their codes; mean and SEM per Hamming distance, Pearson correlation. Needs backend: nd4j."
                + " Writes affine-maps.json; publishes affine-maps-by-hamming (line chart) and affine-maps-summary.";
    }

    /** Frobenius distances collected per Hamming distance. */
    static final class Buckets {
        final TreeMap<Integer, double[]> sums = new TreeMap<>(); // hamming -> {n, sum, sum of squares}
        double sxy, sx, sy, sxx, syy;
        long n;
        int regions;
        int truncated;

        void add(int hamming, double frobenius) {
            double[] b = sums.computeIfAbsent(hamming, h -> new double[3]);
            b[0]++;
            b[1] += frobenius;
            b[2] += frobenius * frobenius;
            n++;
            sx += hamming;
            sy += frobenius;
            sxx += (double) hamming * hamming;
            syy += frobenius * frobenius;
            sxy += hamming * frobenius;
        }

        Buckets merge(Buckets o) {
            o.sums.forEach((h, b) -> {
                double[] t = sums.computeIfAbsent(h, x -> new double[3]);
                for (int i = 0; i < 3; i++) {
                    t[i] += b[i];
                }
            });
            sxy += o.sxy;
            sx += o.sx;
            sy += o.sy;
            sxx += o.sxx;
            syy += o.syy;
            n += o.n;
            regions += o.regions;
            truncated += o.truncated;
            return this;
        }

        /** Pearson correlation of Hamming and Frobenius distance over all region pairs; NaN if undefined. */
        double pearson() {
            double cov = sxy - sx * sy / n;
            double vx = sxx - sx * sx / n;
            double vy = syy - sy * sy / n;
            return vx <= 0 || vy <= 0 ? Double.NaN : cov / Math.sqrt(vx * vy);
        }
    }

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        check(c.paths() >= 1 && c.max_gap() >= 1 && c.max_regions() >= 2 && c.max_points() >= 0,
                "paths and max_gap must be >= 1, max_regions >= 2, max_points >= 0, got " + c.paths() + ", " + c.max_gap() + ", " + c.max_regions()
                        + ", " + c.max_points());
        int n = c.max_points() > 0 ? Math.min(c.max_points(), ctx.dataset().size()) : ctx.dataset().size();
        check(n >= 2, "the dataset needs at least 2 examples to draw paths between, got " + n);
        int[][] pairs = pairs(n, c.paths(), c.seed());
        Map<String, Buckets> byRole = new LinkedHashMap<>();
        Map<String, Integer> bits = new LinkedHashMap<>();
        int mi = 0;
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            String role = e.getKey();
            Model model = e.getValue();
            PiecewiseLinear pl = model.piecewiseLinear().orElseThrow(() -> new IllegalArgumentException("model '" + role
                    + "' is opened by a backend without exact affine maps; the affine-maps analysis needs a white-box backend (backend: nd4j)"));
            SpaceEncoder encoder = ctx.encoder(model);
            check(encoder.layout().bits() > 0, "no coded sites downstream of layer '" + ctx.layer() + "' in model '" + role
                    + "': choose a layer before the last nonlinearity");
            String feed = ctx.layer().isEmpty() ? model.info().inputs().get(0).name() : ctx.layer();
            String output = model.info().outputs().get(0).name();
            List<String> sites = encoder.sites().stream().map(ActivationSite::name).toList();
            ctx.progress().report((double) mi++ / ctx.models().size(), role + ": " + pairs.length + " paths");
            Buckets b = ctx.engine().run(new Sharded<Buckets>() {
                @Override
                public int shards() {
                    return pairs.length;
                }

                @Override
                public Buckets shard(int index, Progress p) throws Exception {
                    p.checkCancelled();
                    int i = pairs[index][0], j = pairs[index][1];
                    float[] a = ctx.points(model, i, i + 1).row(0);
                    float[] z = ctx.points(model, j, j + 1).row(0);
                    Buckets out = new Buckets();
                    path(pl, feed, output, sites, a, z, c.max_gap(), c.max_regions(), out, p);
                    return out;
                }

                @Override
                public Buckets merge(List<Buckets> parts) {
                    Buckets all = new Buckets();
                    parts.forEach(all::merge);
                    return all;
                }
            }, ctx.progress());
            byRole.put(role, b);
            bits.put(role, encoder.layout().bits());
            ctx.log("affine-maps " + role + ": " + b.regions + " regions on " + pairs.length + " paths, " + b.n + " region pairs, Pearson r(hamming, frobenius) = "
                    + b.pearson());
        }
        write(ctx, c, n, pairs.length, byRole, bits);
    }

    /**
     * Walks a -> z, takes one affine map per region (at the midpoint of its parameter interval)
     * and adds every region pair at most {@code maxGap} changes apart. Crossings at the same t
     * (several neurons flipping at one point) are one change between two regions.
     */
    static void path(PiecewiseLinear pl, String feed, String output, List<String> sites, float[] a, float[] z, int maxGap, int maxRegions, Buckets out,
            Progress p) throws Exception {
        List<Crossing> crossings = pl.walk(feed, a, z, sites);
        List<Double> ts = new ArrayList<>();
        List<BitSet> flips = new ArrayList<>(); // flips.get(r): neurons changing between region r and r + 1
        Map<String, Integer> offsets = new LinkedHashMap<>();
        for (Crossing x : crossings) {
            if (!ts.isEmpty() && x.t() - ts.get(ts.size() - 1) <= 1e-12) {
                flips.get(flips.size() - 1).flip(index(offsets, x));
            } else {
                ts.add(x.t());
                BitSet f = new BitSet();
                f.flip(index(offsets, x));
                flips.add(f);
            }
        }
        int regions = Math.min(ts.size() + 1, maxRegions);
        if (ts.size() + 1 > maxRegions) {
            out.truncated++;
        }
        out.regions += regions;
        AffineMap[] maps = new AffineMap[regions];
        for (int r = 0; r < regions; r++) {
            p.checkCancelled();
            double lo = r == 0 ? 0 : ts.get(r - 1);
            double hi = r == ts.size() ? 1 : ts.get(r);
            double t = (lo + hi) / 2;
            float[] x = new float[a.length];
            for (int d = 0; d < x.length; d++) {
                x[d] = (float) (a[d] + t * (z[d] - a[d]));
            }
            maps[r] = pl.affineMap(feed, x, output);
        }
        for (int r = 0; r < regions; r++) {
            BitSet diff = new BitSet();
            for (int s = r + 1; s < regions && s - r <= maxGap; s++) {
                diff.xor(flips.get(s - 1));
                out.add(diff.cardinality(), maps[r].frobeniusDistance(maps[s]));
            }
        }
    }

    /** A neuron's index in the concatenated code, by site in order of first appearance (only identity matters). */
    private static int index(Map<String, Integer> offsets, Crossing x) {
        int site = offsets.computeIfAbsent(x.site(), s -> offsets.size());
        return (x.neuron() << 6) | site; // distinct for up to 64 sites, enough to tell neurons apart
    }

    /** Seeded distinct pairs (i, j), i != j, from [0, n). */
    static int[][] pairs(int n, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] out = new int[count][];
        for (int k = 0; k < count; k++) {
            int i = r.nextInt(n);
            int j = r.nextInt(n - 1);
            out[k] = new int[] {i, j >= i ? j + 1 : j};
        }
        return out;
    }

    private static void write(AnalysisContext ctx, Config c, int points, int paths, Map<String, Buckets> byRole, Map<String, Integer> bits) throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("layer", ctx.layer());
        root.put("points", points);
        root.put("paths", paths);
        root.put("max_gap", c.max_gap());
        root.put("max_regions", c.max_regions());
        root.put("seed", c.seed());
        root.put("distance", "Frobenius norm of A_r - A_s, A the Jacobian of the output w.r.t. the layer inside a region");
        Map<String, Object> models = new LinkedHashMap<>();
        List<LinePlot.Line> lines = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Buckets> e : byRole.entrySet()) {
            Buckets b = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code_bits", bits.get(e.getKey()));
            m.put("regions", b.regions);
            m.put("paths_truncated", b.truncated);
            m.put("region_pairs", b.n);
            double r = b.pearson();
            m.put("pearson_r", Double.isNaN(r) ? null : r);
            List<Map<String, Object>> buckets = new ArrayList<>();
            double[] x = new double[b.sums.size()], y = new double[x.length], lo = new double[x.length], hi = new double[x.length];
            int k = 0;
            for (Map.Entry<Integer, double[]> h : b.sums.entrySet()) {
                double cnt = h.getValue()[0], mean = h.getValue()[1] / cnt;
                double var = cnt > 1 ? Math.max(0, (h.getValue()[2] - cnt * mean * mean) / (cnt - 1)) : Double.NaN;
                double sem = cnt > 1 ? Math.sqrt(var / cnt) : Double.NaN;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("hamming", h.getKey());
                row.put("n", (long) cnt);
                row.put("frobenius_mean", mean);
                row.put("frobenius_sem", Double.isNaN(sem) ? null : sem);
                buckets.add(row);
                x[k] = h.getKey();
                y[k] = mean;
                lo[k] = Double.isNaN(sem) ? mean : mean - sem;
                hi[k] = Double.isNaN(sem) ? mean : mean + sem;
                k++;
            }
            m.put("by_hamming", buckets);
            models.put(e.getKey(), m);
            lines.add(new LinePlot.Line(e.getKey(), x, y, lo, hi));
            rows.add(List.of(e.getKey(), bits.get(e.getKey()), b.regions, b.n, Double.isNaN(r) ? "" : String.format("%.3f", r),
                    b.sums.isEmpty() ? "" : String.format("%.4g", b.sums.firstEntry().getValue()[1] / b.sums.firstEntry().getValue()[0])));
        }
        root.put("models", models);
        ctx.results().write("affine-maps.json", o -> JSON.writeValue(o, root));
        String where = ctx.layer().isEmpty() ? "input space" : "layer " + ctx.layer();
        ctx.results().publish(new LinePlot("affine-maps-by-hamming", "Distance between the affine maps of polytopes vs their Hamming distance (" + where + "; band: ±SEM)",
                "Hamming distance between the regions' codes", "Frobenius distance ||A_r - A_s||", lines));
        ctx.results().publish(new Table("affine-maps-summary", "Affine maps of nearby polytopes (" + where + ")",
                List.of("model", "code bits", "regions", "region pairs", "Pearson r", "mean at smallest Hamming"), rows));
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("affine-maps: " + message);
        }
    }
}
