package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.Crossing;

/**
 * The exact walk along a segment {@code p(t) = a + t (b - a)}, {@code t} in [0, 1] (METHODS.md,
 * analysis 8). Inside one region every gate is fixed, so every pre-activation is affine in t:
 * {@code z(t) = z(t0) + (t - t0) dz} with {@code dz} the network's linear part applied to
 * {@code b - a}. One linearised pass at {@code t0} gives z and dz of all neurons; the next
 * boundary is the smallest root {@code t0 - z/dz > t0}; the walk steps to it and repeats.
 *
 * <p>Gates at a step point are those just after it (the right limit): a neuron at its boundary
 * there (its root within {@code tolerance} of t, or one of the neurons just crossed) is on iff its
 * pre-activation grows along the segment. Because z is continuous in t and only dz jumps, this
 * decides gates layer by layer in graph order, so several neurons crossing at (nearly) the same t,
 * in one layer or in consecutive ones, are all found. A crossing is reported for every neuron
 * whose gate differs between consecutive regions, so a neuron that only touches its boundary and
 * turns back is not reported, matching what any sampling of codes would see.
 *
 * <p>Every Relu that the chosen sites depend on is an event (its crossing changes the affine
 * pieces) but only the chosen sites' crossings are reported.
 */
final class SegmentWalk {
    private final Evaluator evaluator;
    private final String from;
    private final long[] pointShape;
    private final List<Integer> plan;
    private final List<ActivationSite> events;
    private final Set<ActivationSite> reported;
    private final double tolerance;
    private final int maxCrossings;

    SegmentWalk(Evaluator evaluator, String from, long[] pointShape, List<Integer> plan, List<ActivationSite> events,
            Set<ActivationSite> reported, Nd4jModel.Options options) {
        this.evaluator = evaluator;
        this.from = from;
        this.pointShape = pointShape;
        this.plan = plan;
        this.events = events;
        this.reported = reported;
        this.tolerance = options.walkTolerance();
        this.maxCrossings = options.maxCrossings();
    }

    /** A neuron of an event site. */
    private record Neuron(String site, int index) {}

    List<Crossing> run(double[] a, double[] b) {
        int n = a.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = b[i] - a[i];
        }
        INDArray seed = Evaluator.array(d, Nd4jModel.batchShape(1, pointShape), DataType.DOUBLE);
        List<Crossing> out = new ArrayList<>();
        Map<String, double[]> previous = null;
        Map<Neuron, Double> roots = Map.of();
        Set<Neuron> justCrossed = Set.of();
        double t = 0;
        for (long steps = 0; ; steps++) {
            double[] p = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = a[i] + t * d[i];
            }
            Set<Neuron> crossed = justCrossed;
            Evaluator.Pass pass = evaluator.linearised(from,
                    Evaluator.array(p, Nd4jModel.batchShape(1, pointShape), DataType.DOUBLE), seed, plan,
                    (relu, z, dz) -> gates(relu.name(), z, dz, crossed));
            Map<String, double[]> gates = new HashMap<>();
            Map<String, double[]> zs = new HashMap<>();
            Map<String, double[]> dzs = new HashMap<>();
            for (ActivationSite s : events) {
                double[] z = Evaluator.doubles(pass.values().get(s.preactivation()));
                INDArray tz = pass.tangents().get(s.preactivation());
                double[] dz = tz == null ? new double[z.length] : Evaluator.doubles(tz);
                double[] g = pass.gates().get(s.name());
                gates.put(s.name(), g != null ? g : gates(s.name(), z, dz, crossed));
                zs.put(s.name(), z);
                dzs.put(s.name(), dz);
            }

            if (previous != null) {
                List<Crossing> here = new ArrayList<>();
                for (ActivationSite s : events) {
                    if (!reported.contains(s)) {
                        continue;
                    }
                    double[] before = previous.get(s.name());
                    double[] after = gates.get(s.name());
                    for (int i = 0; i < after.length; i++) {
                        if (before[i] != after[i]) {
                            here.add(new Crossing(roots.getOrDefault(new Neuron(s.name(), i), t), s.name(), i));
                        }
                    }
                }
                here.sort(Comparator.comparingDouble(Crossing::t));
                out.addAll(here);
                if (out.size() > maxCrossings) {
                    throw new IllegalStateException("the segment crosses more than " + maxCrossings
                            + " boundaries; raise max_crossings or walk a shorter segment");
                }
            }

            // The next boundary: the smallest root ahead over every neuron moving towards its boundary.
            Map<Neuron, Double> ahead = new HashMap<>();
            double next = Double.POSITIVE_INFINITY;
            for (ActivationSite s : events) {
                double[] z = zs.get(s.name());
                double[] dz = dzs.get(s.name());
                double[] g = gates.get(s.name());
                for (int i = 0; i < z.length; i++) {
                    boolean on = g[i] != 0;
                    if ((on && dz[i] < 0) || (!on && dz[i] > 0)) {
                        double r = t - z[i] / dz[i];
                        if (r > t && r < 1) {
                            ahead.put(new Neuron(s.name(), i), r);
                            next = Math.min(next, r);
                        }
                    }
                }
            }
            if (next == Double.POSITIVE_INFINITY) {
                return out;
            }
            // Roots within the tolerance of the first are one event: step past all of them at once.
            Map<Neuron, Double> group = new HashMap<>();
            double last = next;
            for (Map.Entry<Neuron, Double> e : ahead.entrySet()) {
                if (e.getValue() <= next + tolerance) {
                    group.put(e.getKey(), e.getValue());
                    last = Math.max(last, e.getValue());
                }
            }
            previous = gates;
            roots = group;
            justCrossed = new HashSet<>(group.keySet());
            t = last;
            if (steps > 10L * maxCrossings) {
                throw new IllegalStateException("the walk made " + steps + " steps without finishing; raise max_crossings");
            }
        }
    }

    /** Right-limit gates: sign of z, or of dz for neurons at their boundary. */
    private double[] gates(String site, double[] z, double[] dz, Set<Neuron> crossed) {
        double[] g = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            double slope = dz == null ? 0 : dz[i];
            boolean atBoundary = Math.abs(z[i]) <= tolerance * Math.abs(slope) || crossed.contains(new Neuron(site, i));
            g[i] = (atBoundary ? slope > 0 : z[i] > 0) ? 1 : 0;
        }
        return g;
    }
}
