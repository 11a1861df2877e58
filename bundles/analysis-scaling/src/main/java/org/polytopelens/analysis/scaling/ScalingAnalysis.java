package org.polytopelens.analysis.scaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Scaling activations (the paper's Prediction 3, Appendix B): each example's point x of the
 * layer's space is scaled by alpha in [0, alpha_max]; along alpha the model's logits at alpha x
 * (true-class logit, mean of the others, predicted class) and the local polytope density of the
 * ray: boundaries crossed per unit of Euclidean length in each grid interval. Exact from one
 * segment walk 0 -> alpha_max x when the model knows its piecewise-linear structure, else the
 * Hamming distance between the codes of consecutive grid points (a lower bound: a neuron that
 * flips twice inside an interval counts 0). Also for Gaussian directions with each example's
 * norm, and for every model role (e.g. an untrained twin). Examples are shards of fixed blocks,
 * so the result does not depend on the number of threads.
 */
@Component(service = Analysis.class)
@Designate(ocd = ScalingAnalysis.Config.class)
public final class ScalingAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Scaling activations (Prediction 3)",
            description = "Logits and local polytope density along alpha * x for alpha in [0, alpha_max], for data and Gaussian-noise directions (Appendix B).")
    public @interface Config {
        @AttributeDefinition(name = "Largest alpha", description = "The scale runs from 0 to this value (> 0).", min = "0")
        double alpha_max() default 3.0;

        @AttributeDefinition(name = "Steps", description = "Grid intervals on [0, alpha_max]: steps + 1 grid points.", min = "1")
        int steps() default 60;

        @AttributeDefinition(name = "Examples", description = "Use the first N dataset examples.", min = "1")
        int examples() default 100;

        @AttributeDefinition(name = "Noise directions", description = "Also Gaussian directions with the same norm as each example (seeded).")
        boolean noise() default true;

        @AttributeDefinition(name = "Seed", description = "Seed of the Gaussian directions.")
        long seed() default 1;

        @AttributeDefinition(name = "Exact", description = "Count boundary crossings exactly when the model offers exact geometry (e.g. the nd4j backend); else, or when false, Hamming distance between grid points.")
        boolean exact() default true;
    }

    /** Examples per shard: fixed, so the merged result does not depend on the engine's threads. */
    static final int BLOCK = 8;

    static final String EXACT = "exact (boundary crossings of the segment walk)";
    static final String SAMPLED = "sampled (Hamming distance between consecutive grid points: a lower bound on the crossings)";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String id() {
        return "scaling";
    }

    @Override
    public String name() {
        return "Scaling activations (Prediction 3)";
    }

    @Override
    public String description() {
        return "Scales each example's point of the layer's space by alpha in [0, alpha_max]: true-class and mean other logits, and local polytope"
                + " density along the ray (exact crossings where the backend has exact geometry, else Hamming between grid points), for data and"
                + " Gaussian directions, per model. Writes scaling.json; plots scaling-density and scaling-logits.";
    }

    /**
     * The measurements along one ray: density per interval (NaN for a zero vector), logits and
     * prediction per grid point, the reference class (label, else the unscaled prediction) and the
     * prediction at alpha = 1.
     */
    record Ray(double norm, double[] density, double[] trueLogit, double[] otherLogit, int[] predicted, int reference, int unscaled) {}

    /** Means and SEMs over rays. */
    record Summary(int rays, int zero, double[] density, double[] densitySem, double[] trueLogit, double[] trueSem, double[] otherLogit,
            double[] otherSem, double[] accuracy, double[] unchanged, double peakAlpha, double peakDensity) {}

    record RoleResult(String role, String method, int bits, Map<String, Summary> kinds) {}

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        check(c.alpha_max() > 0 && Double.isFinite(c.alpha_max()), "alpha_max must be a finite number > 0, got " + c.alpha_max());
        check(c.steps() >= 1, "steps must be >= 1 grid interval, got " + c.steps());
        check(c.examples() >= 1, "examples must be >= 1, got " + c.examples());
        int n = Math.min(c.examples(), ctx.dataset().size());
        check(n >= 1, "the dataset has no examples");
        Optional<int[]> labels = ctx.dataset().labels();
        labels.ifPresent(l -> check(l.length >= n, "the dataset has " + n + " examples but " + l.length + " labels"));
        double[] alpha = grid(c.alpha_max(), c.steps());
        List<String> kinds = c.noise() ? List.of("data", "noise") : List.of("data");
        ctx.log("scaling: " + n + " examples, alpha in [0, " + c.alpha_max() + "] (" + c.steps() + " steps), layer '" + ctx.layer() + "', "
                + (labels.isPresent() ? "true classes from the labels" : "no labels: the reference class is the prediction at alpha = 1"));

        List<RoleResult> results = new ArrayList<>();
        int mi = 0, models = ctx.models().size();
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            String role = e.getKey();
            Model model = e.getValue();
            SpaceEncoder encoder = ctx.encoder(model);
            if (encoder.layout().bits() == 0) {
                throw new IllegalArgumentException("no coded sites downstream of layer '" + ctx.layer() + "' in model '" + role + "': the scaling"
                        + " analysis counts polytope boundaries between the layer and the output, so choose a layer before the last nonlinearity");
            }
            PiecewiseLinear pl = c.exact() ? model.piecewiseLinear().orElse(null) : null;
            String method = pl != null ? EXACT : SAMPLED;
            ctx.progress().report((double) mi / models, role + ": " + n + " rays, " + method);
            Map<String, Summary> byKind = new LinkedHashMap<>();
            for (String kind : kinds) {
                List<Ray> rays = rays(ctx, model, encoder, pl, n, labels.orElse(null), kind.equals("noise"), alpha, c);
                Summary s = summarise(rays, alpha);
                byKind.put(kind, s);
                ctx.log("scaling " + role + " " + kind + ": peak density " + s.peakDensity() + " at alpha " + s.peakAlpha() + " (" + method + ")");
            }
            results.add(new RoleResult(role, method, encoder.layout().bits(), byKind));
            mi++;
        }
        ctx.progress().report(1, "scaling done");
        write(ctx, c, n, alpha, labels.isPresent(), results);
        publish(ctx, alpha, results);
    }

    /** alpha_k = alpha_max k / steps, k = 0..steps. */
    static double[] grid(double alphaMax, int steps) {
        double[] a = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
            a[k] = alphaMax * k / steps;
        }
        return a;
    }

    /**
     * The Gaussian direction for example {@code index}, scaled to the norm of {@code x}. Seeded by
     * (seed, index) alone, so it does not depend on which shard or thread draws it.
     */
    static float[] noise(float[] x, long seed, int index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        double[] g = new double[x.length];
        double gn = 0, xn = 0;
        for (int i = 0; i < x.length; i++) {
            g[i] = r.nextGaussian();
            gn += g[i] * g[i];
            xn += (double) x[i] * x[i];
        }
        double scale = gn == 0 ? 0 : Math.sqrt(xn / gn);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (g[i] * scale);
        }
        return out;
    }

    private static List<Ray> rays(AnalysisContext ctx, Model model, SpaceEncoder encoder, PiecewiseLinear pl, int n, int[] labels, boolean noise,
            double[] alpha, Config c) {
        int shards = (n + BLOCK - 1) / BLOCK;
        String feed = ctx.layer().isEmpty() ? model.info().inputs().get(0).name() : ctx.layer();
        String output = model.info().outputs().get(0).name();
        List<String> sites = encoder.sites().stream().map(ActivationSite::name).toList();
        return ctx.engine().run(new Sharded<List<Ray>>() {
            @Override
            public int shards() {
                return shards;
            }

            @Override
            public List<Ray> shard(int index, Progress p) throws Exception {
                p.checkCancelled();
                int from = index * BLOCK, to = Math.min(n, from + BLOCK);
                Tensor points = ctx.points(model, from, to);
                float[][] dirs = new float[to - from][];
                for (int i = from; i < to; i++) {
                    float[] x = points.row(i - from);
                    dirs[i - from] = noise ? noise(x, c.seed(), i) : x;
                }
                return measure(model, encoder, pl, feed, output, sites, points.pointShape(), dirs, labels, from, alpha, p);
            }

            @Override
            public List<Ray> merge(List<List<Ray>> parts) {
                List<Ray> all = new ArrayList<>(n);
                parts.forEach(all::addAll);
                return all;
            }
        }, ctx.progress());
    }

    /**
     * One batch for the block: for each direction its steps + 1 grid points, then alpha = 1 (the
     * unscaled point, for the reference prediction). Logits from one run; codes from one encoding
     * (sampled) or one walk per direction (exact).
     */
    static List<Ray> measure(Model model, SpaceEncoder encoder, PiecewiseLinear pl, String feed, String output, List<String> sites, long[] pointShape,
            float[][] dirs, int[] labels, int first, double[] alpha, Progress p) throws Exception {
        int g = alpha.length, per = g + 1, dim = dirs.length == 0 ? 0 : dirs[0].length, steps = g - 1;
        float[] data = new float[Math.multiplyExact(dirs.length * per, dim)];
        for (int e = 0; e < dirs.length; e++) {
            for (int k = 0; k < per; k++) {
                double a = k < g ? alpha[k] : 1.0;
                int at = (e * per + k) * dim;
                for (int d = 0; d < dim; d++) {
                    data[at + d] = (float) (a * dirs[e][d]);
                }
            }
        }
        Tensor batch = Tensor.batch(dirs.length * per, pointShape, data);
        Tensor logits = model.run(Map.of(feed, batch), List.of(output)).get(output);
        int classes = logits.rowSize();
        SplineCodes codes = pl == null ? encoder.hard(batch) : null;
        double alphaMax = alpha[steps];
        List<Ray> rays = new ArrayList<>(dirs.length);
        for (int e = 0; e < dirs.length; e++) {
            p.checkCancelled();
            double norm = 0;
            for (float v : dirs[e]) {
                norm += (double) v * v;
            }
            norm = Math.sqrt(norm);
            double[] density = new double[steps];
            if (norm == 0) {
                java.util.Arrays.fill(density, Double.NaN); // no length to divide by
            } else if (pl != null) {
                float[] end = new float[dim];
                for (int d = 0; d < dim; d++) {
                    end[d] = (float) (alphaMax * dirs[e][d]);
                }
                for (Crossing x : pl.walk(feed, new float[dim], end, sites)) {
                    density[Math.min(steps - 1, (int) Math.floor(x.t() * steps))]++;
                }
            } else {
                for (int k = 0; k < steps; k++) {
                    density[k] = codes.hamming(e * per + k, e * per + k + 1);
                }
            }
            for (int k = 0; k < steps; k++) {
                density[k] /= (alpha[k + 1] - alpha[k]) * norm;
            }
            int unscaled = argmax(logits.data(), (e * per + g) * classes, classes);
            int reference = labels != null ? labels[first + e] : unscaled;
            double[] trueLogit = new double[g], other = new double[g];
            int[] predicted = new int[g];
            for (int k = 0; k < g; k++) {
                int at = (e * per + k) * classes;
                double sum = 0;
                for (int j = 0; j < classes; j++) {
                    sum += logits.data()[at + j];
                }
                trueLogit[k] = reference < classes ? logits.data()[at + reference] : Double.NaN;
                other[k] = classes > 1 && reference < classes ? (sum - trueLogit[k]) / (classes - 1) : Double.NaN;
                predicted[k] = argmax(logits.data(), at, classes);
            }
            rays.add(new Ray(norm, density, trueLogit, other, predicted, reference, unscaled));
        }
        return rays;
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

    static Summary summarise(List<Ray> rays, double[] alpha) {
        int g = alpha.length, steps = g - 1;
        double[][] density = meanSem(rays.stream().map(Ray::density).toList(), steps);
        double[][] trueL = meanSem(rays.stream().map(Ray::trueLogit).toList(), g);
        double[][] other = meanSem(rays.stream().map(Ray::otherLogit).toList(), g);
        double[] accuracy = new double[g], unchanged = new double[g];
        for (Ray r : rays) {
            for (int k = 0; k < g; k++) {
                accuracy[k] += r.predicted()[k] == r.reference() ? 1 : 0;
                unchanged[k] += r.predicted()[k] == r.unscaled() ? 1 : 0;
            }
        }
        for (int k = 0; k < g; k++) {
            accuracy[k] /= rays.size();
            unchanged[k] /= rays.size();
        }
        int peak = -1;
        for (int k = 0; k < steps; k++) {
            if (Double.isFinite(density[0][k]) && (peak < 0 || density[0][k] > density[0][peak])) {
                peak = k;
            }
        }
        int zero = (int) rays.stream().filter(r -> r.norm() == 0).count();
        return new Summary(rays.size(), zero, density[0], density[1], trueL[0], trueL[1], other[0], other[1], accuracy, unchanged,
                peak < 0 ? Double.NaN : (alpha[peak] + alpha[peak + 1]) / 2, peak < 0 ? Double.NaN : density[0][peak]);
    }

    /** Column means and standard errors of the mean, ignoring NaN (zero vectors; no other logit). */
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

    private static void write(AnalysisContext ctx, Config c, int n, double[] alpha, boolean labelled, List<RoleResult> results) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("layer", ctx.layer());
        json.put("examples", n);
        json.put("alpha_max", c.alpha_max());
        json.put("steps", c.steps());
        json.put("seed", c.seed());
        json.put("reference_class", labelled ? "label" : "prediction at alpha = 1 (no labels)");
        json.put("density", "boundaries crossed per unit Euclidean length of the ray in [alpha_k, alpha_k+1], at the interval's midpoint");
        json.put("alpha", alpha);
        json.put("density_alpha", midpoints(alpha));
        Map<String, Object> roles = new LinkedHashMap<>();
        for (RoleResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.method().startsWith("exact") ? "exact" : "sampled");
            m.put("method_detail", r.method());
            m.put("code_bits", r.bits());
            for (Map.Entry<String, Summary> e : r.kinds().entrySet()) {
                Summary s = e.getValue();
                Map<String, Object> k = new LinkedHashMap<>();
                k.put("rays", s.rays());
                k.put("zero_vectors", s.zero());
                k.put("peak_alpha", finite(s.peakAlpha()));
                k.put("peak_density", finite(s.peakDensity()));
                k.put("density_mean", finite(s.density()));
                k.put("density_sem", finite(s.densitySem()));
                k.put("true_logit_mean", finite(s.trueLogit()));
                k.put("true_logit_sem", finite(s.trueSem()));
                k.put("other_logit_mean", finite(s.otherLogit()));
                k.put("other_logit_sem", finite(s.otherSem()));
                k.put("accuracy", s.accuracy());
                k.put("prediction_unchanged", s.unchanged());
                m.put(e.getKey(), k);
            }
            roles.put(r.role(), m);
        }
        json.put("models", roles);
        ctx.results().write("scaling.json", out -> JSON.writeValue(out, json));
    }

    private static void publish(AnalysisContext ctx, double[] alpha, List<RoleResult> results) throws Exception {
        String where = ctx.layer().isEmpty() ? "input space" : "layer " + ctx.layer();
        double[] mid = midpoints(alpha);
        List<LinePlot.Line> density = new ArrayList<>(), logits = new ArrayList<>();
        List<String> methods = new ArrayList<>();
        for (RoleResult r : results) {
            String m = r.method().startsWith("exact") ? "exact" : "sampled, a lower bound";
            if (!methods.contains(m)) {
                methods.add(m);
            }
            for (Map.Entry<String, Summary> e : r.kinds().entrySet()) {
                Summary s = e.getValue();
                density.add(line(r.role() + " " + e.getKey(), mid, s.density(), s.densitySem()));
            }
            Summary data = r.kinds().get("data");
            logits.add(line(r.role() + ": true-class logit", alpha, data.trueLogit(), data.trueSem()));
            logits.add(line(r.role() + ": mean other logit", alpha, data.otherLogit(), data.otherSem()));
        }
        ctx.results().publish(new LinePlot("scaling-density", "Local polytope density along alpha x (" + where + "; " + String.join(" / ", methods)
                + "; band: ±SEM)", "alpha (scale of the example's vector)", "boundaries crossed per unit length", density));
        ctx.results().publish(new LinePlot("scaling-logits", "Logits at alpha x (" + where + "; data directions; band: ±SEM)",
                "alpha (scale of the example's vector)", "logit", logits));
    }

    private static LinePlot.Line line(String label, double[] x, double[] y, double[] sem) {
        double[] lo = new double[y.length], hi = new double[y.length];
        for (int k = 0; k < y.length; k++) {
            double s = Double.isNaN(sem[k]) ? 0 : sem[k];
            lo[k] = y[k] - s;
            hi[k] = y[k] + s;
        }
        return new LinePlot.Line(label, x, y, lo, hi);
    }

    static double[] midpoints(double[] alpha) {
        double[] m = new double[alpha.length - 1];
        for (int k = 0; k < m.length; k++) {
            m[k] = (alpha[k] + alpha[k + 1]) / 2;
        }
        return m;
    }

    /** JSON has no NaN: undefined values are null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Double[] finite(double[] v) {
        Double[] out = new Double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = finite(v[k]);
        }
        return out;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
