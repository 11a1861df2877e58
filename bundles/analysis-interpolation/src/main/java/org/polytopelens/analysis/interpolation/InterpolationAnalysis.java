package org.polytopelens.analysis.interpolation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Interpolation between examples (the paper's Appendix A): for seeded pairs (a, b) of dataset
 * examples of the same class and of different classes, the spherical interpolation between their
 * points of layer L's space; at steps + 1 positions t = k / steps the predicted class and the local
 * polytope density, averaged over the pairs of each kind with SEM bands.
 *
 * <p>Path: with u = a/|a|, v = b/|b| and omega = acos(u.v),
 * {@code p(t) = ((1-t)|a| + t|b|) (sin((1-t) omega) u + sin(t omega) v) / sin omega}: the direction
 * moves along the great circle at constant angular speed, the norm linearly from |a| to |b|.
 * When sin omega < 1e-6 (nearly parallel or opposite directions) or an endpoint is zero, the
 * great circle is undefined or numerically unstable, and the path is the straight line
 * {@code (1-t) a + t b}.
 *
 * <p>Sampled density (as in the paper, which samples 150 random points around each position and
 * divides codes crossed by Euclidean distance, without giving the radius): around position p,
 * {@code samples} points q = p + r w with w uniform on the unit sphere (normalised Gaussian) and
 * r = radius * (|a| + |b|) / 2; the density is the mean over the samples of
 * hamming(code(p), code(q)) / |q - p|. A Hamming distance counts neurons whose state differs, so
 * it is a lower bound on the boundaries between p and q. Exact density, where the model is
 * piecewise linear: the boundaries the walk crosses on each chord p(t_k) -> p(t_k+1) divided by
 * the chord's length, placed at the chord's mid t.
 *
 * <p>Pairs are drawn on the calling thread from the seed; each pair's random neighbours are seeded
 * by (seed, pair index); pairs are shards of fixed blocks: the result does not depend on threads.
 */
@Component(service = Analysis.class)
@Designate(ocd = InterpolationAnalysis.Config.class)
public final class InterpolationAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Interpolation between examples (Appendix A)",
            description = "Predicted class and local polytope density along the spherical interpolation between pairs of examples of the same and of different classes.")
    public @interface Config {
        @AttributeDefinition(name = "Pairs", description = "Same-class pairs, and as many different-class pairs, drawn at random (seeded).", min = "1")
        int pairs() default 50;

        @AttributeDefinition(name = "Seed", description = "Seed of the pairs and of the random neighbours.")
        long seed() default 1;

        @AttributeDefinition(name = "Steps", description = "Intervals along the path: steps + 1 positions t = k / steps.", min = "1")
        int steps() default 50;

        @AttributeDefinition(name = "Samples", description = "Random points around each position for the sampled density (the paper: 150).", min = "1")
        int samples() default 150;

        @AttributeDefinition(name = "Radius", description = "Distance of the random points from the position, as a fraction of the mean norm of the pair's endpoints (> 0).", min = "0")
        double radius() default 0.05;

        @AttributeDefinition(name = "Exact", description = "Also the exact density (boundary crossings of a walk along the path's chords) when the model offers exact geometry (e.g. the nd4j backend).")
        boolean exact() default true;
    }

    /** Pairs per shard: fixed, so the merged result does not depend on the engine's threads. */
    static final int BLOCK = 2;

    /** Below this sin(omega) slerp falls back to the straight line. */
    static final double PARALLEL = 1e-6;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String id() {
        return "interpolation";
    }

    @Override
    public String name() {
        return "Interpolation between examples (Appendix A)";
    }

    @Override
    public String description() {
        return "Spherical interpolation between the layer's points of same-class and different-class pairs: the predicted class and the local polytope"
                + " density along the path (sampled around each position as in the paper; exact walk crossings where the backend has exact geometry)."
                + " Writes interpolation.json; plots interpolation-density and interpolation-class.";
    }

    /** A pair of dataset examples; a is the lower index. */
    record Pair(int a, int b, int classA, int classB) {
        boolean same() {
            return classA == classB;
        }
    }

    /** Measurements along one pair's path: sampled density and prediction per position, exact density per chord (null without a walk). */
    record Path(Pair pair, double[] sampled, double[] exact, int[] predicted) {}

    record Summary(int pairs, double[] sampled, double[] sampledSem, double[] exact, double[] exactSem, double[] classA, double[] classB) {}

    record RoleResult(String role, boolean exact, int bits, Summary same, Summary different) {}

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        check(c.pairs() >= 1, "pairs must be >= 1, got " + c.pairs());
        check(c.steps() >= 1, "steps must be >= 1 interval, got " + c.steps());
        check(c.samples() >= 1, "samples must be >= 1 random point per position, got " + c.samples());
        check(c.radius() > 0 && Double.isFinite(c.radius()), "radius must be a finite number > 0, got " + c.radius());
        int n = ctx.dataset().size();
        int[] labels = ctx.dataset().labels().orElseThrow(() -> new IllegalArgumentException(
                "the interpolation analysis needs class labels to form same-class and different-class pairs: give the dataset labels (e.g. labels: y.npy)"));
        check(labels.length >= n, "the dataset has " + n + " examples but " + labels.length + " labels");
        List<Pair> pairs = pairs(labels, n, c.pairs(), c.seed());
        long same = pairs.stream().filter(Pair::same).count();
        check(!pairs.isEmpty(), "no pairs: the dataset needs two examples of one class or two of different classes");
        double[] t = positions(c.steps());
        ctx.log("interpolation: " + same + " same-class and " + (pairs.size() - same) + " different-class pairs of " + n + " examples, " + c.steps()
                + " steps, " + c.samples() + " samples at radius " + c.radius() + " x mean endpoint norm, layer '" + ctx.layer() + "'");

        List<RoleResult> results = new ArrayList<>();
        int mi = 0, models = ctx.models().size();
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            Model model = e.getValue();
            SpaceEncoder encoder = ctx.encoder(model);
            if (encoder.layout().bits() == 0) {
                throw new IllegalArgumentException("no coded sites downstream of layer '" + ctx.layer() + "' in model '" + e.getKey() + "': the"
                        + " interpolation analysis counts polytope boundaries between the layer and the output, so choose a layer before the last nonlinearity");
            }
            PiecewiseLinear pl = c.exact() ? model.piecewiseLinear().orElse(null) : null;
            ctx.progress().report((double) mi / models, e.getKey() + ": " + pairs.size() + " paths" + (pl != null ? ", exact and sampled" : ", sampled"));
            List<Path> paths = paths(ctx, model, encoder, pl, pairs, t, c);
            RoleResult r = new RoleResult(e.getKey(), pl != null, encoder.layout().bits(), summarise(paths, true, c.steps()),
                    summarise(paths, false, c.steps()));
            results.add(r);
            ctx.log("interpolation " + e.getKey() + ": mean sampled density same-class " + mean(r.same().sampled()) + ", different-class "
                    + mean(r.different().sampled()) + (pl != null ? "; exact " + mean(r.same().exact()) + " / " + mean(r.different().exact()) : ""));
            mi++;
        }
        ctx.progress().report(1, "interpolation done");
        write(ctx, c, n, t, pairs, results);
        publish(ctx, t, results);
    }

    /**
     * Up to {@code count} same-class pairs and {@code count} different-class pairs (with
     * replacement), drawn from a Random(seed): a uniform first example, then a uniform partner
     * among those of its class (or of other classes) other than itself. A kind that cannot be
     * formed (no class with two examples; a single class) is left empty. Same-class first.
     */
    static List<Pair> pairs(int[] labels, int n, int count, long seed) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        List<Integer> inPairs = new ArrayList<>();
        for (List<Integer> members : byClass.values()) {
            if (members.size() >= 2) {
                inPairs.addAll(members);
            }
        }
        Random r = new Random(seed);
        List<Pair> out = new ArrayList<>(2 * count);
        if (!inPairs.isEmpty()) {
            for (int k = 0; k < count; k++) {
                int i = inPairs.get(r.nextInt(inPairs.size()));
                List<Integer> members = byClass.get(labels[i]);
                int j = members.get(r.nextInt(members.size() - 1));
                if (j == i) {
                    j = members.get(members.size() - 1); // the last member stands in for i itself: uniform over the others
                }
                out.add(pair(i, j, labels));
            }
        }
        if (byClass.size() >= 2) {
            for (int k = 0; k < count; k++) {
                int i = r.nextInt(n), j;
                do {
                    j = r.nextInt(n);
                } while (labels[j] == labels[i]);
                out.add(pair(i, j, labels));
            }
        }
        return out;
    }

    private static Pair pair(int i, int j, int[] labels) {
        int a = Math.min(i, j), b = Math.max(i, j);
        return new Pair(a, b, labels[a], labels[b]);
    }

    static double[] positions(int steps) {
        double[] t = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
            t[k] = (double) k / steps;
        }
        return t;
    }

    /** The point at t of the spherical interpolation from a to b (see the class comment), in double. */
    static double[] slerp(float[] a, float[] b, double t) {
        int d = a.length;
        double na = 0, nb = 0, dot = 0;
        for (int i = 0; i < d; i++) {
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
            dot += (double) a[i] * b[i];
        }
        na = Math.sqrt(na);
        nb = Math.sqrt(nb);
        double[] p = new double[d];
        double cos = na == 0 || nb == 0 ? 1 : Math.max(-1, Math.min(1, dot / (na * nb)));
        double omega = Math.acos(cos), sin = Math.sin(omega);
        if (sin < PARALLEL) {
            for (int i = 0; i < d; i++) {
                p[i] = (1 - t) * a[i] + t * b[i];
            }
            return p;
        }
        double norm = (1 - t) * na + t * nb, wa = Math.sin((1 - t) * omega) / sin / na * norm, wb = Math.sin(t * omega) / sin / nb * norm;
        for (int i = 0; i < d; i++) {
            p[i] = wa * a[i] + wb * b[i];
        }
        return p;
    }

    private static List<Path> paths(AnalysisContext ctx, Model model, SpaceEncoder encoder, PiecewiseLinear pl, List<Pair> pairs, double[] t, Config c) {
        int shards = (pairs.size() + BLOCK - 1) / BLOCK;
        String feed = ctx.layer().isEmpty() ? model.info().inputs().get(0).name() : ctx.layer();
        String output = model.info().outputs().get(0).name();
        List<String> sites = encoder.sites().stream().map(ActivationSite::name).toList();
        return ctx.engine().run(new Sharded<List<Path>>() {
            @Override
            public int shards() {
                return shards;
            }

            @Override
            public List<Path> shard(int index, Progress p) throws Exception {
                List<Path> out = new ArrayList<>(BLOCK);
                for (int k = index * BLOCK; k < Math.min(pairs.size(), (index + 1) * BLOCK); k++) {
                    p.checkCancelled();
                    Pair pair = pairs.get(k);
                    Tensor a = ctx.points(model, pair.a(), pair.a() + 1), b = ctx.points(model, pair.b(), pair.b() + 1);
                    out.add(measure(model, encoder, pl, feed, output, sites, a.pointShape(), pair, a.row(0), b.row(0), t, c.samples(), c.radius(),
                            neighbourSeed(c.seed(), k)));
                }
                return out;
            }

            @Override
            public List<Path> merge(List<List<Path>> parts) {
                List<Path> all = new ArrayList<>(pairs.size());
                parts.forEach(all::addAll);
                return all;
            }
        }, ctx.progress());
    }

    static long neighbourSeed(long seed, int pair) {
        return seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (pair + 1L);
    }

    /**
     * One pair: a batch of the positions, then per position its random neighbours. Logits of the
     * positions from one run, codes of the whole batch from one encoding, and one walk per chord.
     */
    static Path measure(Model model, SpaceEncoder encoder, PiecewiseLinear pl, String feed, String output, List<String> sites, long[] pointShape,
            Pair pair, float[] a, float[] b, double[] t, int samples, double radius, long seed) throws Exception {
        int g = t.length, dim = a.length;
        float[][] pos = new float[g][];
        for (int k = 0; k < g; k++) {
            double[] p = slerp(a, b, t[k]);
            pos[k] = new float[dim];
            for (int i = 0; i < dim; i++) {
                pos[k][i] = (float) p[i];
            }
        }
        double r = radius * (norm(a) + norm(b)) / 2;
        Random rnd = new Random(seed);
        int rows = g * (samples + 1);
        float[] data = new float[Math.multiplyExact(rows, dim)];
        double[] gauss = new double[dim];
        for (int k = 0; k < g; k++) {
            System.arraycopy(pos[k], 0, data, k * dim, dim);
            for (int s = 0; s < samples; s++) {
                double gn = 0;
                for (int i = 0; i < dim; i++) {
                    gauss[i] = rnd.nextGaussian();
                    gn += gauss[i] * gauss[i];
                }
                double scale = r / Math.sqrt(gn);
                int at = (g + k * samples + s) * dim;
                for (int i = 0; i < dim; i++) {
                    data[at + i] = (float) (pos[k][i] + scale * gauss[i]);
                }
            }
        }
        Tensor batch = Tensor.batch(rows, pointShape, data);
        Tensor logits = model.run(Map.of(feed, batch.rows(0, g)), List.of(output)).get(output);
        int classes = logits.rowSize();
        int[] predicted = new int[g];
        for (int k = 0; k < g; k++) {
            predicted[k] = argmax(logits.data(), k * classes, classes);
        }
        SplineCodes codes = encoder.hard(batch);
        double[] sampled = new double[g];
        for (int k = 0; k < g; k++) {
            double sum = 0;
            int m = 0;
            for (int s = 0; s < samples; s++) {
                int row = g + k * samples + s;
                double dist = distance(data, k * dim, row * dim, dim);
                if (dist > 0) { // r = 0 (both endpoints zero) or a step below float resolution: no length to divide by
                    sum += codes.hamming(k, row) / dist;
                    m++;
                }
            }
            sampled[k] = m == 0 ? Double.NaN : sum / m;
        }
        double[] exact = null;
        if (pl != null) {
            exact = new double[g - 1];
            for (int k = 0; k < g - 1; k++) {
                double len = distance(pos[k], pos[k + 1]);
                exact[k] = len == 0 ? Double.NaN : pl.walk(feed, pos[k], pos[k + 1], sites).size() / len;
            }
        }
        return new Path(pair, sampled, exact, predicted);
    }

    private static double distance(float[] x, int i, int j, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            double v = (double) x[i + d] - x[j + d];
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static double distance(float[] x, float[] y) {
        double s = 0;
        for (int d = 0; d < x.length; d++) {
            double v = (double) x[d] - y[d];
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    private static int argmax(float[] v, int at, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[at + j] > v[at + best]) {
                best = j;
            }
        }
        return best;
    }

    static Summary summarise(List<Path> all, boolean same, int steps) {
        List<Path> paths = all.stream().filter(p -> p.pair().same() == same).toList();
        int g = steps + 1;
        double[][] sampled = meanSem(paths.stream().map(Path::sampled).toList(), g);
        boolean exact = !paths.isEmpty() && paths.get(0).exact() != null;
        double[][] ex = exact ? meanSem(paths.stream().map(Path::exact).toList(), steps) : new double[][] {null, null};
        double[] ca = new double[g], cb = new double[g];
        for (int k = 0; k < g; k++) {
            for (Path p : paths) {
                ca[k] += p.predicted()[k] == p.pair().classA() ? 1 : 0;
                cb[k] += p.predicted()[k] == p.pair().classB() ? 1 : 0;
            }
            ca[k] = paths.isEmpty() ? Double.NaN : ca[k] / paths.size();
            cb[k] = paths.isEmpty() ? Double.NaN : cb[k] / paths.size();
        }
        return new Summary(paths.size(), sampled[0], sampled[1], ex[0], ex[1], ca, cb);
    }

    /** Column means and standard errors of the mean, ignoring NaN (no length to divide by). */
    static double[][] meanSem(List<double[]> rows, int width) {
        double[] mean = new double[width], sem = new double[width];
        for (int k = 0; k < width; k++) {
            double s = 0, ss = 0;
            int m = 0;
            for (double[] r : rows) {
                if (!Double.isNaN(r[k])) {
                    s += r[k];
                    m++;
                }
            }
            double mu = m == 0 ? Double.NaN : s / m;
            for (double[] r : rows) {
                if (!Double.isNaN(r[k])) {
                    ss += (r[k] - mu) * (r[k] - mu);
                }
            }
            mean[k] = mu;
            sem[k] = m < 2 ? Double.NaN : Math.sqrt(ss / (m - 1) / m);
        }
        return new double[][] {mean, sem};
    }

    private static double mean(double[] v) {
        if (v == null) {
            return Double.NaN;
        }
        double s = 0;
        int m = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                m++;
            }
        }
        return m == 0 ? Double.NaN : s / m;
    }

    static double[] midpoints(double[] t) {
        double[] m = new double[t.length - 1];
        for (int k = 0; k < m.length; k++) {
            m[k] = (t[k] + t[k + 1]) / 2;
        }
        return m;
    }

    private static void write(AnalysisContext ctx, Config c, int n, double[] t, List<Pair> pairs, List<RoleResult> results) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("layer", ctx.layer());
        json.put("examples", n);
        json.put("pairs_requested", c.pairs());
        json.put("seed", c.seed());
        json.put("steps", c.steps());
        json.put("samples", c.samples());
        json.put("radius", c.radius());
        json.put("path", "p(t) = ((1-t)|a| + t|b|) (sin((1-t) w) a/|a| + sin(t w) b/|b|) / sin w, w = angle(a, b); (1-t) a + t b when sin w < 1e-6");
        json.put("sampled_density", "mean over the samples of hamming(code(p), code(q)) / |q - p|, q = p + r w, w uniform on the unit sphere,"
                + " r = radius * (|a| + |b|) / 2; at each position t");
        json.put("exact_density", "boundaries crossed on the chord p(t_k) -> p(t_k+1) (exact walk) / the chord's length; at the chord's mid t");
        json.put("t", t);
        json.put("exact_t", midpoints(t));
        json.put("pair_indices", pairs.stream().map(p -> new int[] {p.a(), p.b()}).toList());
        Map<String, Object> roles = new LinkedHashMap<>();
        for (RoleResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.exact() ? "exact and sampled" : "sampled");
            m.put("code_bits", r.bits());
            m.put("same_class", summary(r.same()));
            m.put("different_class", summary(r.different()));
            roles.put(r.role(), m);
        }
        json.put("models", roles);
        ctx.results().write("interpolation.json", out -> JSON.writeValue(out, json));
    }

    private static Map<String, Object> summary(Summary s) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("pairs", s.pairs());
        k.put("sampled_mean", finite(s.sampled()));
        k.put("sampled_sem", finite(s.sampledSem()));
        if (s.exact() != null) {
            k.put("exact_mean", finite(s.exact()));
            k.put("exact_sem", finite(s.exactSem()));
        }
        k.put("predicts_class_a", finite(s.classA()));
        k.put("predicts_class_b", finite(s.classB()));
        return k;
    }

    private static void publish(AnalysisContext ctx, double[] t, List<RoleResult> results) throws Exception {
        String where = ctx.layer().isEmpty() ? "input space" : "layer " + ctx.layer();
        double[] mid = midpoints(t);
        List<LinePlot.Line> density = new ArrayList<>(), cls = new ArrayList<>();
        for (RoleResult r : results) {
            for (Map.Entry<String, Summary> e : Map.of("same-class", r.same(), "different-class", r.different()).entrySet().stream()
                    .sorted(Map.Entry.<String, Summary>comparingByKey().reversed()).toList()) {
                Summary s = e.getValue();
                if (s.pairs() == 0) {
                    continue;
                }
                String label = r.role() + " " + e.getKey();
                density.add(line(label + ", sampled", t, s.sampled(), s.sampledSem()));
                if (s.exact() != null) {
                    density.add(line(label + ", exact", mid, s.exact(), s.exactSem()));
                }
                if (e.getKey().equals("same-class")) {
                    cls.add(line(label + ": predicts the pair's class", t, s.classA(), null));
                } else {
                    cls.add(line(label + ": predicts a's class", t, s.classA(), null));
                    cls.add(line(label + ": predicts b's class", t, s.classB(), null));
                }
            }
        }
        ctx.results().publish(new LinePlot("interpolation-density", "Local polytope density along the spherical interpolation between examples (" + where
                + "; band: ±SEM)", "position t on the path from a to b", "boundaries per unit Euclidean length", density));
        ctx.results().publish(new LinePlot("interpolation-class", "Predicted class along the spherical interpolation (" + where + ")",
                "position t on the path from a to b", "fraction of paths", cls));
    }

    private static LinePlot.Line line(String label, double[] x, double[] y, double[] sem) {
        if (sem == null) {
            return new LinePlot.Line(label, x, y, null, null);
        }
        double[] lo = new double[y.length], hi = new double[y.length];
        for (int k = 0; k < y.length; k++) {
            double s = Double.isNaN(sem[k]) ? 0 : sem[k];
            lo[k] = y[k] - s;
            hi[k] = y[k] + s;
        }
        return new LinePlot.Line(label, x, y, lo, hi);
    }

    /** JSON has no NaN: undefined values are null. */
    private static Double[] finite(double[] v) {
        Double[] out = new Double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = Double.isFinite(v[k]) ? v[k] : null;
        }
        return out;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
