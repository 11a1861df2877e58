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
 * analysis 8). Inside one region every site's pieces are fixed ({@link Gate}), so every
 * pre-activation is affine in t: {@code z(t) = z(t0) + (t - t0) dz} with {@code dz} the network's
 * linear part applied to {@code b - a}. One linearised pass at {@code t0} gives z and dz of all
 * neurons; the next boundary is the smallest root ahead over all sites (a Relu family neuron
 * reaching 0, a Clip neuron reaching min or max, a MaxPool candidate overtaking its window's
 * winner: {@code z_c(t) = z_w(t)}); the walk steps to it and repeats. The pass is a
 * {@link Linearisation}: ND4J for any graph ({@link Nd4jWalk}), plain arrays for dense networks
 * ({@link DenseWalk}, ~30x faster on MLPs); both apply the same {@link Gate} rules.
 *
 * <p>Pieces at a step point are those just after it (the right limit): a neuron at its boundary
 * there (its root within {@code tolerance} of t, or one of the boundaries just crossed) is decided
 * by the direction it moves. Because z is continuous in t and only dz jumps, this decides pieces
 * site by site in graph order, so several boundaries crossed at (nearly) the same t, in one site
 * or in consecutive ones (a Relu turning on and the MaxPool reading it switching), are all found.
 * A crossing is reported for every code change between consecutive regions (a Clip neuron
 * passing both bounds at once gives two), so a neuron that only touches its boundary and turns
 * back is not reported, matching what any sampling of codes would see.
 *
 * <p>Every site that the chosen sites depend on is an event (its boundaries split the affine
 * pieces) but only the chosen sites' crossings are reported.
 */
final class SegmentWalk {
    /**
     * Where the walk stands at {@code t}: every event site's state, its pieces decided by the
     * right-limit rule ({@link Gate#rightPieces}) with {@code crossed} (site -&gt; keys of the
     * boundaries just stepped over). One per walk; {@link Nd4jWalk} evaluates the graph with ND4J,
     * {@link DenseWalk} plain dense networks on arrays.
     */
    @FunctionalInterface
    interface Linearisation {
        List<State> at(double t, Map<String, Set<Long>> crossed);
    }

    /** One event site's state at a step point: its input (one point), the input's derivative in t, and its pieces. */
    record State(Gate gate, long[] shape, double[] z, double[] dz, int[] pieces) {}

    private final Set<String> reported;
    private final double tolerance;
    private final int maxCrossings;

    SegmentWalk(Set<String> reported, Nd4jModel.Options options) {
        this.reported = reported;
        this.tolerance = options.walkTolerance();
        this.maxCrossings = options.maxCrossings();
    }

    /** The ND4J linearisation: one linearised pass of {@code plan} at {@code a + t (b - a)} per step. */
    static final class Nd4jWalk implements Linearisation {
        private final Evaluator evaluator;
        private final String from;
        private final long[] pointShape;
        private final List<Integer> plan;
        private final List<ActivationSite> events;
        private final double tolerance;
        private final double[] a;
        private final double[] d;
        private final INDArray seed;

        Nd4jWalk(Evaluator evaluator, String from, long[] pointShape, List<Integer> plan, List<ActivationSite> events,
                double tolerance, double[] a, double[] b) {
            this.evaluator = evaluator;
            this.from = from;
            this.pointShape = pointShape;
            this.plan = plan;
            this.events = events;
            this.tolerance = tolerance;
            this.a = a;
            this.d = difference(a, b);
            this.seed = Evaluator.array(d, Nd4jModel.batchShape(1, pointShape), DataType.DOUBLE);
        }

        @Override
        public List<State> at(double t, Map<String, Set<Long>> crossed) {
            int n = a.length;
            double[] p = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = a[i] + t * d[i];
            }
            Evaluator.Pass pass = evaluator.linearised(from,
                    Evaluator.array(p, Nd4jModel.batchShape(1, pointShape), DataType.DOUBLE), seed, plan,
                    (gate, shape, z, dz) -> gate.rightPieces(shape, z, dz, tolerance, crossed.getOrDefault(gate.name(), Set.of())));
            List<State> states = new ArrayList<>(events.size());
            for (ActivationSite s : events) {
                Gate g = evaluator.gate(s.name());
                INDArray zv = pass.values().get(s.preactivation());
                double[] z = Evaluator.doubles(zv);
                INDArray tz = pass.tangents().get(s.preactivation());
                double[] dz = tz == null ? new double[z.length] : Evaluator.doubles(tz);
                int[] pc = pass.gates().get(s.name());
                if (pc == null) { // a chosen site whose own output the plan does not need
                    pc = g.rightPieces(zv.shape(), z, dz, tolerance, crossed.getOrDefault(s.name(), Set.of()));
                }
                states.add(new State(g, zv.shape(), z, dz, pc));
            }
            return states;
        }
    }

    static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = b[i] - a[i];
        }
        return d;
    }

    List<Crossing> run(Linearisation linearisation) {
        List<Crossing> out = new ArrayList<>();
        Map<String, int[]> previous = null;
        Map<String, Map<Integer, Double>> roots = Map.of(); // site -> neuron -> t of the boundaries just crossed
        Map<String, Set<Long>> justCrossed = Map.of();
        double t = 0;
        for (long steps = 0; ; steps++) {
            List<State> states = linearisation.at(t, justCrossed);
            Map<String, int[]> pieces = new HashMap<>();
            for (State s : states) {
                pieces.put(s.gate().name(), s.pieces());
            }

            if (previous != null) {
                List<Crossing> here = new ArrayList<>();
                for (State s : states) {
                    String site = s.gate().name();
                    if (!reported.contains(site)) {
                        continue;
                    }
                    int[] before = previous.get(site);
                    int[] after = s.pieces();
                    Map<Integer, Double> at = roots.getOrDefault(site, Map.of());
                    for (int i = 0; i < after.length; i++) {
                        int changes = s.gate().changes(before[i], after[i]);
                        for (int c = 0; c < changes; c++) {
                            here.add(new Crossing(at.getOrDefault(i, t), site, i));
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

            // The next boundary: the smallest root ahead over every site.
            double[] next = {Double.POSITIVE_INFINITY};
            double now = t;
            for (State s : states) {
                s.gate().roots(s.shape(), now, s.z(), s.dz(), s.pieces(), (key, neuron, r) -> {
                    if (r > now && r < 1 && r < next[0]) {
                        next[0] = r;
                    }
                });
            }
            if (next[0] == Double.POSITIVE_INFINITY) {
                return out;
            }
            // Roots within the tolerance of the first are one event: step past all of them at once.
            double limit = next[0] + tolerance;
            double[] last = {next[0]};
            Map<String, Set<Long>> group = new HashMap<>();
            Map<String, Map<Integer, Double>> groupRoots = new HashMap<>();
            for (State s : states) {
                String site = s.gate().name();
                s.gate().roots(s.shape(), now, s.z(), s.dz(), s.pieces(), (key, neuron, r) -> {
                    if (r > now && r < 1 && r <= limit) {
                        group.computeIfAbsent(site, k -> new HashSet<>()).add(key);
                        groupRoots.computeIfAbsent(site, k -> new HashMap<>()).merge(neuron, r, Math::min);
                        last[0] = Math.max(last[0], r);
                    }
                });
            }
            previous = pieces;
            roots = groupRoots;
            justCrossed = group;
            t = last[0];
            if (steps > 10L * maxCrossings) {
                throw new IllegalStateException("the walk made " + steps + " steps without finishing; raise max_crossings");
            }
        }
    }
}
