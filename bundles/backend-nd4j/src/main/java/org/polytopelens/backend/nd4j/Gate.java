package org.polytopelens.backend.nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.polytopelens.backend.nd4j.Graph.Node;

/**
 * A site of the graph: a piecewise-linear nonlinearity. Inside a polytope every neuron of a site
 * stays on one <em>piece</em> (an int per coded neuron), and with the pieces fixed the site is
 * linear. The piece numbering is the code the coders write:
 *
 * <ul>
 *   <li>{@code Relu}, {@code LeakyRelu}, {@code PRelu} ({@link Ramp}): 1 iff x &gt; 0; the value
 *       is x on piece 1 and (negative slope) * x on piece 0.
 *   <li>{@code Clip} ({@link ClipGate}): the two code bits as a number, bit 0 = x &gt; min, bit 1 =
 *       x &gt; max; the value is max with bit 1, x with bit 0 alone, else min. A Crossing of a Clip
 *       site names the neuron (element) whose piece changed, once per boundary crossed.
 *   <li>{@code MaxPool} ({@link MaxPool}): per OUTPUT element, the winning input (flat index in
 *       the point, C order): the first maximum in window order, as the MaxPool coder picks it.
 *       The value copies the winner.
 * </ul>
 *
 * Besides the point rule ({@link #pieces}) every gate has the walk's right-limit rule
 * ({@link #rightPieces}: the pieces just after {@code t}, deciding neurons at a boundary by the
 * direction of travel) and enumerates its next boundaries along an affine path ({@link #roots}).
 * Thread-safe: immutable apart from caches.
 */
abstract sealed class Gate permits Gate.Ramp, Gate.ClipGate, Gate.MaxPool {
    /** The ops that are sites of this backend, in {@link Graph#SUPPORTED}. */
    static final Set<String> OPS = Set.of("Relu", "LeakyRelu", "PRelu", "Clip", "MaxPool");

    /** Receives a boundary ahead: an opaque key (for {@code crossed}), the neuron it belongs to, and its t. */
    @FunctionalInterface
    interface RootSink {
        void root(long key, int neuron, double t);
    }

    final Node node;

    Gate(Node node) {
        this.node = node;
    }

    static Gate of(Node n, Graph g) {
        return switch (n.op()) {
            case "Relu" -> new Ramp(n, 0, null);
            case "LeakyRelu" -> new Ramp(n, n.floatAttr("alpha", 0.01), null);
            case "PRelu" -> {
                Graph.Constant slope = g.constants.get(n.input(1));
                if (slope == null) {
                    throw new IllegalArgumentException("PRelu node '" + n.name() + "' of " + g.source + ": its slope '" + n.input(1)
                            + "' must be a constant (initializer or Constant node)");
                }
                yield new Ramp(n, 0, slope);
            }
            case "Clip" -> new ClipGate(n, bound(n, g, 1, "min", Double.NEGATIVE_INFINITY), bound(n, g, 2, "max", Double.POSITIVE_INFINITY));
            case "MaxPool" -> new MaxPool(n);
            default -> throw new IllegalArgumentException(n.op() + " node '" + n.name() + "' is not a site; sites: " + OPS);
        };
    }

    String name() {
        return node.name();
    }

    /** What a coder needs beyond the op, as the ONNX Runtime backend's SiteFinder fills it in. */
    abstract Map<String, Object> attributes();

    /** The forward pass of a batch (any floating type). */
    abstract INDArray run(INDArray x);

    /** The pieces at one point: {@code z} is the site's input for one point, of shape {@code shape} ([1, ...]). */
    abstract int[] pieces(long[] shape, double[] z);

    /**
     * The pieces just after the current point of a path along which the input moves with
     * derivative {@code dz}: a neuron whose boundary lies within {@code tolerance} in t (or whose
     * key is in {@code crossed}, the boundaries just stepped over) is decided by {@code dz}.
     */
    abstract int[] rightPieces(long[] shape, double[] z, double[] dz, double tolerance, Set<Long> crossed);

    /** The site's output at one point ([1, ...]) on the given pieces. */
    abstract INDArray value(INDArray z, int[] pieces);

    /** The site's linear part on the given pieces applied to {@code k} tangents ([k, ...]). */
    abstract INDArray tangent(INDArray tz, int[] pieces);

    /**
     * Every boundary the path {@code z + (s - t) dz} reaches for some s in (t, 1) while leaving the
     * current {@code pieces}.
     */
    abstract void roots(long[] shape, double t, double[] z, double[] dz, int[] pieces, RootSink sink);

    /** How many code changes (boundaries) lie between two pieces of one neuron. */
    int changes(int before, int after) {
        return before == after ? 0 : 1;
    }

    private static double bound(Node n, Graph g, int input, String attribute, double unbounded) {
        String name = n.input(input);
        if (name.isEmpty()) {
            return n.floatAttr(attribute, unbounded); // opset 6 attributes, or no bound
        }
        Graph.Constant c = g.constants.get(name);
        if (c == null || c.values().length != 1) {
            throw new IllegalArgumentException("Clip node '" + n.name() + "' of " + g.source + ": its " + attribute + " '" + name
                    + "' must be a constant scalar (initializer or Constant node)");
        }
        return c.values()[0];
    }

    static boolean atBoundary(double distance, double slope, double tolerance) {
        return Math.abs(distance) <= tolerance * Math.abs(slope);
    }

    // --- Relu, LeakyRelu, PRelu ---------------------------------------------------------------------

    /** Two pieces split at 0: slope 1 above, a constant or per-element (PRelu) slope below. */
    static final class Ramp extends Gate {
        private final double alpha;
        private final Graph.Constant slope;
        /** PRelu's slope broadcast to a point's shape, by that shape. */
        private final Map<List<Long>, double[]> slopes = new ConcurrentHashMap<>();

        Ramp(Node node, double alpha, Graph.Constant slope) {
            super(node);
            this.alpha = alpha;
            this.slope = slope;
        }

        @Override
        Map<String, Object> attributes() {
            return node.op().equals("LeakyRelu") ? Map.of("alpha", alpha) : Map.of();
        }

        @Override
        INDArray run(INDArray x) {
            INDArray pos = Transforms.relu(x, true);
            if (slope == null && alpha == 0) {
                return pos;
            }
            INDArray neg = Transforms.min(x, 0.0, true);
            neg = slope == null ? neg.muli(alpha) : neg.muli(Evaluator.expand(Evaluator.array(slope.values(), slope.shape(), x.dataType()), x.shape()));
            return pos.addi(neg);
        }

        @Override
        int[] pieces(long[] shape, double[] z) {
            int[] p = new int[z.length];
            for (int i = 0; i < z.length; i++) {
                p[i] = z[i] > 0 ? 1 : 0;
            }
            return p;
        }

        @Override
        int[] rightPieces(long[] shape, double[] z, double[] dz, double tolerance, Set<Long> crossed) {
            int[] p = new int[z.length];
            for (int i = 0; i < z.length; i++) {
                double d = dz == null ? 0 : dz[i];
                boolean at = atBoundary(z[i], d, tolerance) || crossed.contains((long) i);
                p[i] = (at ? d > 0 : z[i] > 0) ? 1 : 0;
            }
            return p;
        }

        /** Per element: 1 on the positive piece, the negative slope on the other. */
        private INDArray factors(long[] shape, int[] pieces) {
            double[] neg = slope == null ? null : negativeSlopes(shape);
            double[] f = new double[pieces.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = pieces[i] != 0 ? 1 : neg == null ? alpha : neg[i];
            }
            return Evaluator.array(f, shape, DataType.DOUBLE);
        }

        /** Per element of a point of (batch) shape {@code shape}: the slope on piece 0. */
        double[] negativeSlopes(long[] shape) {
            if (slope == null) {
                double[] f = new double[Math.toIntExact(Graph.product(shape, 0, shape.length))];
                Arrays.fill(f, alpha);
                return f;
            }
            return slopes.computeIfAbsent(Arrays.stream(shape).boxed().toList(),
                    s -> Evaluator.doubles(Evaluator.expand(Evaluator.array(slope.values(), slope.shape(), DataType.DOUBLE), shape)));
        }

        @Override
        INDArray value(INDArray z, int[] pieces) {
            return z.mul(factors(z.shape(), pieces));
        }

        @Override
        INDArray tangent(INDArray tz, int[] pieces) {
            long[] one = tz.shape().clone();
            one[0] = 1;
            return tz.mul(factors(one, pieces).broadcast(tz.shape()));
        }

        @Override
        void roots(long[] shape, double t, double[] z, double[] dz, int[] pieces, RootSink sink) {
            for (int i = 0; i < z.length; i++) {
                boolean on = pieces[i] != 0;
                if ((on && dz[i] < 0) || (!on && dz[i] > 0)) {
                    sink.root(i, i, t - z[i] / dz[i]);
                }
            }
        }
    }

    // --- Clip -------------------------------------------------------------------------------------

    /** Three pieces split at min and max; piece = (x &gt; min) + 2 (x &gt; max). */
    static final class ClipGate extends Gate {
        private final double[] bounds;

        ClipGate(Node node, double min, double max) {
            super(node);
            this.bounds = new double[] {min, max};
        }

        @Override
        Map<String, Object> attributes() {
            return Map.of("min", bounds[0], "max", bounds[1]);
        }

        double min() {
            return bounds[0];
        }

        double max() {
            return bounds[1];
        }

        @Override
        INDArray run(INDArray x) {
            return Transforms.min(Transforms.max(x, bounds[0], true), bounds[1], false);
        }

        @Override
        int[] pieces(long[] shape, double[] z) {
            int[] p = new int[z.length];
            for (int i = 0; i < z.length; i++) {
                p[i] = (z[i] > bounds[0] ? 1 : 0) | (z[i] > bounds[1] ? 2 : 0);
            }
            return p;
        }

        @Override
        int[] rightPieces(long[] shape, double[] z, double[] dz, double tolerance, Set<Long> crossed) {
            int[] p = new int[z.length];
            for (int i = 0; i < z.length; i++) {
                double d = dz == null ? 0 : dz[i];
                for (int b = 0; b < 2; b++) {
                    boolean at = atBoundary(z[i] - bounds[b], d, tolerance) || crossed.contains(2L * i + b);
                    if (at ? d > 0 : z[i] > bounds[b]) {
                        p[i] |= 1 << b;
                    }
                }
            }
            return p;
        }

        @Override
        INDArray value(INDArray z, int[] pieces) {
            double[] mask = new double[pieces.length];
            double[] constant = new double[pieces.length];
            for (int i = 0; i < pieces.length; i++) {
                if ((pieces[i] & 2) != 0) {
                    constant[i] = bounds[1];
                } else if (pieces[i] == 1) {
                    mask[i] = 1;
                } else {
                    constant[i] = Math.min(bounds[0], bounds[1]);
                }
            }
            long[] shape = z.shape();
            return z.mul(Evaluator.array(mask, shape, DataType.DOUBLE)).addi(Evaluator.array(constant, shape, DataType.DOUBLE));
        }

        @Override
        INDArray tangent(INDArray tz, int[] pieces) {
            double[] mask = new double[pieces.length];
            for (int i = 0; i < pieces.length; i++) {
                mask[i] = pieces[i] == 1 ? 1 : 0;
            }
            long[] one = tz.shape().clone();
            one[0] = 1;
            return tz.mul(Evaluator.array(mask, one, DataType.DOUBLE).broadcast(tz.shape()));
        }

        @Override
        void roots(long[] shape, double t, double[] z, double[] dz, int[] pieces, RootSink sink) {
            for (int i = 0; i < z.length; i++) {
                for (int b = 0; b < 2; b++) {
                    boolean above = (pieces[i] & (1 << b)) != 0;
                    if (Double.isFinite(bounds[b]) && ((above && dz[i] < 0) || (!above && dz[i] > 0))) {
                        sink.root(2L * i + b, i, t + (bounds[b] - z[i]) / dz[i]);
                    }
                }
            }
        }

        @Override
        int changes(int before, int after) {
            return Integer.bitCount(before ^ after);
        }
    }

    // --- MaxPool ------------------------------------------------------------------------------------

    /** A fixed selection inside a polytope: each output copies its window's winning input. */
    static final class MaxPool extends Gate {
        private final long[] kernel;
        /** Window geometry and its table, by the input's spatial shape. */
        private final Map<List<Long>, Layout> layouts = new ConcurrentHashMap<>();

        /** Geometry for one input shape: channels, the window table, sizes of input and output planes. */
        private record Layout(int channels, Window window, int[] table, int size, int plane, int outPlane, long[] outShape) {}

        MaxPool(Node node) {
            super(node);
            var k = node.attributes().get("kernel_shape");
            if (k == null) {
                throw new IllegalArgumentException("MaxPool node '" + node.name() + "' has no kernel_shape (required by ONNX)");
            }
            this.kernel = k.getIntsList().stream().mapToLong(Long::longValue).toArray();
            if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
                throw new IllegalArgumentException("MaxPool node '" + node.name() + "': its Indices output '" + node.outputs().get(1)
                        + "' is not supported by the nd4j backend");
            }
        }

        @Override
        Map<String, Object> attributes() {
            int r = kernel.length;
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("kernel_shape", kernel.clone());
            a.put("strides", ints("strides", r, 1));
            a.put("pads", ints("pads", 2 * r, 0));
            a.put("dilations", ints("dilations", r, 1));
            a.put("ceil_mode", node.intAttr("ceil_mode", 0));
            a.put("storage_order", node.intAttr("storage_order", 0));
            var autoPad = node.attributes().get("auto_pad");
            a.put("auto_pad", autoPad == null ? "NOTSET" : autoPad.getS().toStringUtf8());
            return a;
        }

        private long[] ints(String key, int n, long fallback) {
            var a = node.attributes().get(key);
            if (a == null) {
                long[] v = new long[n];
                Arrays.fill(v, fallback);
                return v;
            }
            return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }

        /** Output shape for an input of (batch) shape {@code shape}. */
        long[] outputShape(long[] shape) {
            long[] out = layout(shape).outShape().clone();
            out[0] = shape[0];
            return out;
        }

        private Layout layout(long[] shape) {
            return layouts.computeIfAbsent(Arrays.stream(shape).skip(1).boxed().toList(), key -> {
                if (shape.length != kernel.length + 2) {
                    throw new IllegalArgumentException("MaxPool node '" + node.name() + "' pools " + kernel.length
                            + " spatial axes, so its input must be [N, C" + ", S".repeat(kernel.length) + "]; got " + Arrays.toString(shape));
                }
                Window w = Window.of(node, Arrays.copyOfRange(shape, 2, shape.length), kernel);
                int[] table = w.table();
                for (int o = 0; o < w.outputs(); o++) {
                    boolean any = false;
                    for (int j = 0; j < w.size(); j++) {
                        any |= table[o * w.size() + j] >= 0;
                    }
                    if (!any) {
                        throw new IllegalArgumentException("MaxPool node '" + node.name() + "': a window lies wholly in the padding (" + w + ")");
                    }
                }
                long[] out = new long[shape.length];
                out[0] = 1;
                out[1] = shape[1];
                for (int i = 0; i < w.rank(); i++) {
                    out[2 + i] = w.out()[i];
                }
                return new Layout(Math.toIntExact(shape[1]), w, table, w.size(), w.inputs(), w.outputs(), out);
            });
        }

        @Override
        INDArray run(INDArray x) {
            Layout l = layout(x.shape());
            double[] d = Evaluator.doubles(x);
            int rows = Math.toIntExact(x.size(0));
            int inRow = l.channels() * l.plane();
            int outRow = l.channels() * l.outPlane();
            double[] out = new double[rows * outRow];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < l.channels(); c++) {
                    int base = r * inRow + c * l.plane();
                    for (int o = 0; o < l.outPlane(); o++) {
                        int w = winner(l, d, base, o);
                        out[r * outRow + c * l.outPlane() + o] = d[base + w];
                    }
                }
            }
            return Evaluator.array(out, outputShape(x.shape()), x.dataType());
        }

        /**
         * The first maximum in window order of output {@code o} of the plane at {@code base}, as an
         * offset in that plane; a number beats NaN (the MaxPool coder's rule).
         */
        private static int winner(Layout l, double[] d, int base, int o) {
            int best = -1;
            double bv = 0;
            for (int j = 0; j < l.size(); j++) {
                int at = l.table()[o * l.size() + j];
                if (at < 0) {
                    continue;
                }
                double v = d[base + at];
                if (best < 0 || v > bv || (bv != bv && v == v)) {
                    best = at;
                    bv = v;
                }
            }
            return best;
        }

        @Override
        int[] pieces(long[] shape, double[] z) {
            Layout l = layout(shape);
            int[] p = new int[l.channels() * l.outPlane()];
            for (int c = 0; c < l.channels(); c++) {
                int base = c * l.plane();
                for (int o = 0; o < l.outPlane(); o++) {
                    p[c * l.outPlane() + o] = base + winner(l, z, base, o);
                }
            }
            return p;
        }

        /**
         * The winner just after t: the first maximum c, unless candidates within the tolerance of
         * it (or just crossed over it) rise faster; then the fastest of those (larger value, then
         * window order, on equal slopes). Exact ties of value and slope (a window of inputs a Relu
         * holds at 0) keep the first, like the coder.
         */
        @Override
        int[] rightPieces(long[] shape, double[] z, double[] dz, double tolerance, Set<Long> crossed) {
            int[] p = pieces(shape, z);
            if (dz == null) {
                return p;
            }
            Layout l = layout(shape);
            int len = z.length;
            for (int c = 0; c < l.channels(); c++) {
                int base = c * l.plane();
                for (int o = 0; o < l.outPlane(); o++) {
                    int j = c * l.outPlane() + o;
                    int first = p[j];
                    int best = first;
                    for (int w = 0; w < l.size(); w++) {
                        int at = l.table()[o * l.size() + w];
                        if (at < 0) {
                            continue;
                        }
                        int i = base + at;
                        boolean rival = i != first && dz[i] > dz[first]
                                && (z[first] - z[i] <= tolerance * (dz[i] - dz[first]) || crossed.contains((long) j * len + i));
                        if (rival && (dz[i] > dz[best] || (dz[i] == dz[best] && z[i] > z[best]))) {
                            best = i;
                        }
                    }
                    p[j] = best;
                }
            }
            return p;
        }

        @Override
        INDArray value(INDArray z, int[] pieces) {
            double[] d = Evaluator.doubles(z);
            double[] out = new double[pieces.length];
            for (int j = 0; j < out.length; j++) {
                out[j] = d[pieces[j]];
            }
            return Evaluator.array(out, outputShape(z.shape()), DataType.DOUBLE);
        }

        @Override
        INDArray tangent(INDArray tz, int[] pieces) {
            double[] d = Evaluator.doubles(tz);
            int rows = Math.toIntExact(tz.size(0));
            int inRow = Math.toIntExact(tz.length() / rows);
            double[] out = new double[rows * pieces.length];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < pieces.length; j++) {
                    out[r * pieces.length + j] = d[r * inRow + pieces[j]];
                }
            }
            return Evaluator.array(out, outputShape(tz.shape()), DataType.DOUBLE);
        }

        /** For each output, every candidate that overtakes its winner: z_c(s) = z_w(s) with dz_c &gt; dz_w. */
        @Override
        void roots(long[] shape, double t, double[] z, double[] dz, int[] pieces, RootSink sink) {
            Layout l = layout(shape);
            int len = z.length;
            for (int c = 0; c < l.channels(); c++) {
                int base = c * l.plane();
                for (int o = 0; o < l.outPlane(); o++) {
                    int j = c * l.outPlane() + o;
                    int w = pieces[j];
                    for (int k = 0; k < l.size(); k++) {
                        int at = l.table()[o * l.size() + k];
                        int i = base + at;
                        if (at >= 0 && i != w && dz[i] > dz[w]) {
                            sink.root((long) j * len + i, j, t + (z[w] - z[i]) / (dz[i] - dz[w]));
                        }
                    }
                }
            }
        }
    }
}
