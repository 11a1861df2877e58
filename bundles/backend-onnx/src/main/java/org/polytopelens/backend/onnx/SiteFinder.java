package org.polytopelens.backend.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.onnx.proto.Onnx.NodeProto;

/**
 * Finds the activation sites of a graph, in topological order.
 *
 * <ul>
 *   <li>HARD, one node each: {@code Relu}, {@code LeakyRelu}, {@code PRelu}, {@code Clip},
 *       {@code MaxPool}.
 *   <li>SOFT, one node each: {@code Gelu} (any domain), {@code Sigmoid}, {@code Tanh}.
 *   <li>SOFT patterns: the exact GELU {@code x * 0.5 * (1 + erf(x / sqrt 2))} as exported by
 *       PyTorch (op {@code "Gelu"}, named after the {@code Div} or {@code Mul} that reads x), and
 *       SiLU/Swish {@code x * sigmoid(x)} (op {@code "SiLU"}, named after the {@code Sigmoid}).
 * </ul>
 *
 * The pre-activation is the tensor the nonlinearity reads (input 0 for single nodes).
 */
final class SiteFinder {
    /** A site before shapes are known: the node index orders sites topologically. */
    record Found(int node, String name, String op, GateKind kind, String preactivation) {}

    private static final Map<String, GateKind> SINGLE = Map.of(
            "Relu", GateKind.HARD,
            "LeakyRelu", GateKind.HARD,
            "PRelu", GateKind.HARD,
            "Clip", GateKind.HARD,
            "MaxPool", GateKind.HARD,
            "Gelu", GateKind.SOFT,
            "Sigmoid", GateKind.SOFT,
            "Tanh", GateKind.SOFT);

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
                found.add(new Found(i, g.names.get(i), n.getOpType(), kind, n.getInput(0)));
            }
        }
        found.sort(Comparator.comparingInt(Found::node));
        return found;
    }

    /** {@code Sigmoid(x)} whose output is multiplied by x. */
    private static void silu(GraphIndex g, int i, List<Found> found, Set<Integer> inPattern) {
        NodeProto s = g.nodes.get(i);
        String x = s.getInput(0);
        for (NodeProto m : g.consumersOf(s.getOutput(0))) {
            if (m.getOpType().equals("Mul") && other(m, s.getOutput(0)).equals(x)) {
                found.add(new Found(i, g.names.get(i), "SiLU", GateKind.SOFT, x));
                inPattern.add(i);
                return;
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
                    found.add(new Found(scaleIndex, g.names.get(scaleIndex), "Gelu", GateKind.SOFT, x));
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
