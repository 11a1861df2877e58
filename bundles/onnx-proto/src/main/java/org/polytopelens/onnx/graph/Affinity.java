package org.polytopelens.onnx.graph;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;

/**
 * Decides from the graph alone whether one tensor is an affine function of another: every node
 * between them is affine in the inputs that depend on the first tensor, and every other input it
 * reads is a constant (an initializer, a {@code Constant}, or computed from constants and
 * shapes only). No other graph input may reach the second tensor. Conservative: an op not listed
 * makes the answer false. Shared by the backends, so {@code Model.isAffine} answers the same on
 * every backend that reads ONNX graphs.
 */
public final class Affinity {
    private Affinity() {}

    /**
     * What the decision reads of a node: its op type, input and output tensor names (an absent
     * optional input is ""), and its attributes (only a {@code Pad}'s mode is read).
     */
    public record Node(String op, List<String> inputs, List<String> outputs, Map<String, AttributeProto> attributes) {}

    /** What a tensor is as a function of the source tensor. */
    private enum State {
        /** Does not depend on any fed value. */
        CONST,
        /** Affine in the source, depends on nothing else. */
        AFFINE,
        /** Anything else: nonlinear, or depends on another input. */
        OTHER
    }

    /** Linear in input 0 when every other input is constant (weights, biases, statistics, axes). */
    private static final Set<String> LINEAR_IN_FIRST = Set.of("Conv", "ConvTranspose", "BatchNormalization", "Div", "Flatten",
            "Identity", "Dropout", "Neg", "Transpose", "Squeeze", "Unsqueeze", "AveragePool", "GlobalAveragePool", "ReduceMean",
            "ReduceSum", "Gather", "Expand", "Tile", "Split");
    /** Linear in input 0; the other inputs are shapes, starts, pads: structure, whatever they depend on. */
    private static final Set<String> STRUCTURAL_REST = Set.of("Reshape", "Slice", "Pad");
    /** Sums: affine when every input is affine or constant. */
    private static final Set<String> SUMS = Set.of("Add", "Sub", "Concat", "Sum");
    /** Products: affine when exactly one of the first two inputs is affine and the rest are constant. */
    private static final Set<String> PRODUCTS = Set.of("Mul", "MatMul", "Gemm");
    /** Their value does not depend on the values of their input, only on its shape. */
    private static final Set<String> SHAPE_ONLY = Set.of("Shape", "Size");

    /**
     * Whether {@code to} is an affine function of {@code from} alone (false when it does not
     * depend on it).
     *
     * @param nodes the graph's nodes in topological order (as ONNX files store them)
     * @param constants initializers and other tensors known to be constant
     * @param inputs the graph's inputs that are fed (their values vary)
     */
    public static boolean affine(List<Node> nodes, Collection<String> constants, Collection<String> inputs, String from, String to) {
        if (from.equals(to)) {
            return true;
        }
        int first = -1, last = -1;
        for (int i = 0; i < nodes.size(); i++) {
            List<String> out = nodes.get(i).outputs();
            if (out.contains(from)) {
                first = i;
            }
            if (out.contains(to)) {
                last = i;
            }
        }
        if (last < 0) {
            return false;
        }
        Map<String, State> state = new HashMap<>();
        state.put(from, State.AFFINE);
        constants.forEach(t -> state.putIfAbsent(t, State.CONST));
        inputs.forEach(t -> state.putIfAbsent(t, State.OTHER));
        // Nodes before the source's producer cannot depend on it, but may compute constants.
        for (int i = 0; i <= last; i++) {
            Node node = nodes.get(i);
            if (i == first) {
                continue; // writes the source itself (and possibly more outputs: not affine in it)
            }
            State s = of(node, state);
            for (String out : node.outputs()) {
                if (!out.isEmpty() && !out.equals(from)) {
                    state.put(out, s);
                }
            }
        }
        return state.getOrDefault(to, State.OTHER) == State.AFFINE;
    }

    private static State of(Node node, Map<String, State> state) {
        String op = node.op();
        if (op.equals("Constant") || SHAPE_ONLY.contains(op)) {
            return State.CONST;
        }
        List<String> in = node.inputs();
        State[] s = new State[in.size()];
        boolean allConst = true;
        for (int k = 0; k < s.length; k++) {
            s[k] = in.get(k).isEmpty() ? State.CONST : state.getOrDefault(in.get(k), State.OTHER);
            allConst &= s[k] == State.CONST;
        }
        if (allConst) {
            return State.CONST;
        }
        if (s.length == 0) {
            return State.OTHER;
        }
        if (LINEAR_IN_FIRST.contains(op) || STRUCTURAL_REST.contains(op)) {
            if (s[0] != State.AFFINE || (op.equals("Pad") && !constantMode(node))) {
                return State.OTHER;
            }
            for (int k = 1; k < s.length && !STRUCTURAL_REST.contains(op); k++) {
                if (s[k] != State.CONST) {
                    return State.OTHER;
                }
            }
            return State.AFFINE;
        }
        if (SUMS.contains(op)) {
            for (State x : s) {
                if (x == State.OTHER) {
                    return State.OTHER;
                }
            }
            return State.AFFINE;
        }
        if (PRODUCTS.contains(op)) {
            int affine = 0;
            for (State x : s) {
                if (x == State.OTHER) {
                    return State.OTHER;
                }
                affine += x == State.AFFINE ? 1 : 0;
            }
            boolean biasAffine = op.equals("Gemm") && s.length > 2 && s[2] == State.AFFINE;
            return affine == 1 && !biasAffine ? State.AFFINE : State.OTHER;
        }
        return State.OTHER;
    }

    private static boolean constantMode(Node pad) {
        AttributeProto mode = pad.attributes().get("mode");
        return mode == null || mode.getS().toStringUtf8().equals("constant"); // ONNX's default mode
    }
}
