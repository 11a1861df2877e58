package org.polytopelens.backend.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;

/**
 * Finds the activation sites of a graph, in topological order.
 *
 * <ul>
 *   <li>HARD, one node each: {@code Relu}, {@code LeakyRelu}, {@code PRelu}, {@code Clip},
 *       {@code HardSigmoid}, {@code HardSwish}, {@code MaxPool}.
 *   <li>SOFT, one node each: {@code Gelu} (any domain), {@code Sigmoid}, {@code Tanh},
 *       {@code Swish} (opset 24).
 *   <li>SOFT patterns: the exact GELU {@code x * 0.5 * (1 + erf(x / sqrt 2))} as exported by
 *       PyTorch (op {@code "Gelu"}, named after the {@code Div} or {@code Mul} that reads x),
 *       SiLU {@code x * sigmoid(x)} (op {@code "SiLU"}, named after the {@code Sigmoid}) and
 *       Swish {@code x * sigmoid(beta x)} with a constant beta (op {@code "Swish"}, named after
 *       the {@code Mul} that scales x).
 * </ul>
 *
 * The pre-activation is the tensor the nonlinearity reads (input 0 for single nodes).
 *
 * <p>Attributes (what a coder needs beyond the op, with ONNX's defaults filled in):
 * {@code LeakyRelu}: {@code alpha} (Double, default 0.01). {@code Clip}: {@code min}, {@code max}
 * (Double; from the opset-11+ inputs or the opset-6 attributes; missing = -inf/+inf; absent
 * from the map when an input is not a constant). {@code HardSigmoid}: {@code alpha}, {@code beta}
 * (defaults 0.2, 0.5); {@code HardSwish}: the fixed {@code alpha} = 1/6, {@code beta} = 0.5.
 * {@code MaxPool}: {@code kernel_shape}, {@code strides}, {@code pads}, {@code dilations}
 * (long[]), {@code ceil_mode}, {@code storage_order} (Long), {@code auto_pad} (String).
 * {@code Swish}: {@code beta} (Double; ONNX's {@code alpha} attribute, default 1).
 * {@code Gelu}: {@code approximate} (String, {@code "none"} or {@code "tanh"}).
 * {@link OnnxModel} adds {@code sequence_axis} (Long 1) to any site it finds to be per token,
 * once probing has shown its pre-activation to be {@code [batch, seq, d...]} (see there).
 *
 * <p>Transformers exported from PyTorch (e.g. all-MiniLM-L6-v2) have one Erf-pattern GELU per
 * feed-forward block, named after PyTorch's module path, e.g.
 * {@code /encoder/layer.0/intermediate/intermediate_act_fn/Div} with pre-activation
 * {@code /encoder/layer.0/intermediate/dense/Add_output_0}; their attention's {@code Softmax}
 * is not a site.
 *
 * <p>Neurons: for elementwise gates the code has one group per element of the pre-activation.
 * For {@code MaxPool} the pre-activation is the pool's INPUT (the coder needs every candidate)
 * but the code has one group per OUTPUT element, so {@link Found#coded} names the output and the
 * site's {@code neurons} counts output elements while its {@code shape} is the input's.
 */
final class SiteFinder {
    /**
     * A site before shapes are known: the node index orders sites topologically; {@code coded}
     * is the tensor with one element per coded neuron (the pre-activation, or MaxPool's output).
     */
    record Found(int node, String name, String op, GateKind kind, String preactivation, String coded, Map<String, Object> attributes) {
        Found(int node, String name, String op, GateKind kind, String preactivation) {
            this(node, name, op, kind, preactivation, preactivation, Map.of());
        }
    }

    private static final Map<String, GateKind> SINGLE = Map.ofEntries(
            Map.entry("Relu", GateKind.HARD),
            Map.entry("LeakyRelu", GateKind.HARD),
            Map.entry("PRelu", GateKind.HARD),
            Map.entry("Clip", GateKind.HARD),
            Map.entry("HardSigmoid", GateKind.HARD),
            Map.entry("HardSwish", GateKind.HARD),
            Map.entry("MaxPool", GateKind.HARD),
            Map.entry("Gelu", GateKind.SOFT),
            Map.entry("Sigmoid", GateKind.SOFT),
            Map.entry("Tanh", GateKind.SOFT),
            Map.entry("Swish", GateKind.SOFT));

    private static final double SQRT2 = Math.sqrt(2);
    private static final double TOLERANCE = 1e-3;

    private SiteFinder() {}

    static List<Found> find(GraphIndex g) {
        List<Found> found = new ArrayList<>();
        Set<Integer> inPattern = new HashSet<>();
        for (int i = 0; i < g.nodes.size(); i++) {
            NodeProto n = g.nodes.get(i);
            switch (n.getOpType()) {
                case "Erf" -> erfGelu(g, i, found, inPattern);
                case "Sigmoid" -> silu(g, i, found, inPattern);
                default -> { }
            }
        }
        for (int i = 0; i < g.nodes.size(); i++) {
            NodeProto n = g.nodes.get(i);
            GateKind kind = SINGLE.get(n.getOpType());
            if (kind != null && !inPattern.contains(i) && n.getInputCount() > 0 && !n.getInput(0).isEmpty()) {
                String coded = n.getOpType().equals("MaxPool") && n.getOutputCount() > 0 ? n.getOutput(0) : n.getInput(0);
                found.add(new Found(i, g.names.get(i), n.getOpType(), kind, n.getInput(0), coded, attributes(g, n)));
            }
        }
        found.sort(Comparator.comparingInt(Found::node));
        return found;
    }

    /** What the coder of node {@code n} needs, with ONNX's defaults (see the class comment). */
    static Map<String, Object> attributes(GraphIndex g, NodeProto n) {
        Map<String, Object> a = new LinkedHashMap<>();
        switch (n.getOpType()) {
            case "LeakyRelu" -> a.put("alpha", floatAttr(n, "alpha", 0.01));
            case "HardSigmoid" -> {
                a.put("alpha", floatAttr(n, "alpha", 0.2));
                a.put("beta", floatAttr(n, "beta", 0.5));
            }
            case "HardSwish" -> {
                a.put("alpha", 1.0 / 6);
                a.put("beta", 0.5);
            }
            case "Swish" -> a.put("beta", floatAttr(n, "alpha", 1.0));
            case "Gelu" -> a.put("approximate", stringAttr(n, "approximate", "none"));
            case "Clip" -> {
                bound(g, n, 1, "min", Double.NEGATIVE_INFINITY, a);
                bound(g, n, 2, "max", Double.POSITIVE_INFINITY, a);
            }
            case "MaxPool" -> {
                long[] kernel = intsAttr(n, "kernel_shape", null);
                if (kernel == null) {
                    break; // invalid ONNX; ONNX Runtime refuses such a model when it loads
                }
                int r = kernel.length;
                a.put("kernel_shape", kernel);
                a.put("strides", intsAttr(n, "strides", filled(r, 1)));
                a.put("pads", intsAttr(n, "pads", filled(2 * r, 0)));
                a.put("dilations", intsAttr(n, "dilations", filled(r, 1)));
                a.put("ceil_mode", intAttr(n, "ceil_mode", 0));
                a.put("storage_order", intAttr(n, "storage_order", 0));
                a.put("auto_pad", stringAttr(n, "auto_pad", "NOTSET"));
            }
            default -> { }
        }
        return a;
    }

    /**
     * A Clip bound: input {@code k} (opset 11+; an empty or missing input means unbounded), else
     * the opset-6 attribute. Left out when the input is computed at run time.
     */
    private static void bound(GraphIndex g, NodeProto n, int k, String key, double unbounded, Map<String, Object> a) {
        if (n.getInputCount() > k && !n.getInput(k).isEmpty()) {
            Double v = g.scalar(n.getInput(k));
            if (v != null) {
                a.put(key, v);
            }
            return;
        }
        a.put(key, floatAttr(n, key, unbounded));
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static double floatAttr(NodeProto n, String name, double fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : (double) a.getF();
    }

    private static long intAttr(NodeProto n, String name, long fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getI();
    }

    private static String stringAttr(NodeProto n, String name, String fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    private static long[] intsAttr(NodeProto n, String name, long[] fallback) {
        AttributeProto a = attr(n, name);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    /**
     * {@code Sigmoid(x)} whose output is multiplied by x (SiLU), or {@code Sigmoid(beta * x)}
     * with a constant beta whose output is multiplied by x (Swish).
     */
    private static void silu(GraphIndex g, int i, List<Found> found, Set<Integer> inPattern) {
        NodeProto s = g.nodes.get(i);
        String in = s.getInput(0);
        for (NodeProto m : g.consumersOf(s.getOutput(0))) {
            if (m.getOpType().equals("Mul") && other(m, s.getOutput(0)).equals(in)) {
                found.add(new Found(i, g.names.get(i), "SiLU", GateKind.SOFT, in));
                inPattern.add(i);
                return;
            }
        }
        Integer scaleIndex = g.producer.get(in);
        NodeProto scale = scaleIndex == null ? null : g.nodes.get(scaleIndex);
        if (scale == null || !scale.getOpType().equals("Mul") || scale.getInputCount() != 2) {
            return;
        }
        for (int k = 0; k < 2; k++) {
            Double beta = g.scalar(scale.getInput(k));
            String x = scale.getInput(1 - k);
            if (beta == null || g.scalar(x) != null) {
                continue;
            }
            for (NodeProto m : g.consumersOf(s.getOutput(0))) {
                if (m.getOpType().equals("Mul") && other(m, s.getOutput(0)).equals(x)) {
                    found.add(new Found(scaleIndex, g.names.get(scaleIndex), "Swish", GateKind.SOFT, x, x, Map.of("beta", beta)));
                    inPattern.add(i);
                    return;
                }
            }
        }
    }

    /**
     * {@code Erf(x / sqrt2)} or {@code Erf(x * (1/sqrt2))}, plus 1, times x, with a factor 0.5 on
     * either side of that product ({@code (0.5 x) * (1 + erf)} or {@code (x * (1 + erf)) * 0.5}).
     */
    private static void erfGelu(GraphIndex g, int i, List<Found> found, Set<Integer> inPattern) {
        NodeProto erf = g.nodes.get(i);
        Integer scaleIndex = g.producer.get(erf.getInput(0));
        if (scaleIndex == null) {
            return;
        }
        NodeProto scale = g.nodes.get(scaleIndex);
        String x = scaledInput(g, scale);
        if (x == null) {
            return;
        }
        for (NodeProto add : g.consumersOf(erf.getOutput(0))) {
            if (!add.getOpType().equals("Add") || !near(g.scalar(other(add, erf.getOutput(0))), 1)) {
                continue;
            }
            for (NodeProto mul : g.consumersOf(add.getOutput(0))) {
                if (!mul.getOpType().equals("Mul")) {
                    continue;
                }
                String factor = other(mul, add.getOutput(0));
                boolean halfBefore = isHalfOf(g, factor, x);
                boolean halfAfter = factor.equals(x) && g.consumersOf(mul.getOutput(0)).stream()
                        .anyMatch(h -> h.getOpType().equals("Mul") && near(g.scalar(other(h, mul.getOutput(0))), 0.5));
                if (halfBefore || halfAfter) {
                    found.add(new Found(scaleIndex, g.names.get(scaleIndex), "Gelu", GateKind.SOFT, x, x, Map.of("approximate", "none")));
                    inPattern.add(scaleIndex);
                    return;
                }
            }
        }
    }

    /** The x of {@code x / sqrt2} or {@code x * 1/sqrt2}, else null. */
    private static String scaledInput(GraphIndex g, NodeProto scale) {
        if (scale.getInputCount() != 2) {
            return null;
        }
        if (scale.getOpType().equals("Div") && near(g.scalar(scale.getInput(1)), SQRT2)) {
            return scale.getInput(0);
        }
        if (scale.getOpType().equals("Mul")) {
            for (int k = 0; k < 2; k++) {
                if (near(g.scalar(scale.getInput(k)), 1 / SQRT2)) {
                    return scale.getInput(1 - k);
                }
            }
        }
        return null;
    }

    /** Whether {@code tensor} is {@code x * 0.5} (or {@code x / 2}). */
    private static boolean isHalfOf(GraphIndex g, String tensor, String x) {
        NodeProto p = g.producerOf(tensor);
        if (p == null || p.getInputCount() != 2) {
            return false;
        }
        if (p.getOpType().equals("Mul")) {
            return (p.getInput(0).equals(x) && near(g.scalar(p.getInput(1)), 0.5))
                    || (p.getInput(1).equals(x) && near(g.scalar(p.getInput(0)), 0.5));
        }
        return p.getOpType().equals("Div") && p.getInput(0).equals(x) && near(g.scalar(p.getInput(1)), 2);
    }

    /** The input of binary node {@code n} that is not {@code tensor} ({@code tensor} if both are). */
    private static String other(NodeProto n, String tensor) {
        if (n.getInputCount() != 2) {
            return "";
        }
        return n.getInput(0).equals(tensor) ? n.getInput(1) : n.getInput(0);
    }

    private static boolean near(Double value, double expected) {
        return value != null && Math.abs(value - expected) < TOLERANCE;
    }
}
