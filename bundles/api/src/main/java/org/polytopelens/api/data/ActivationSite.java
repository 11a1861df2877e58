package org.polytopelens.api.data;

import java.util.Arrays;

/**
 * A nonlinearity in a model graph.
 *
 * @param name the graph node's name (for a pattern such as GELU's Erf subgraph, the node that
 *     reads the pre-activation)
 * @param op the operator, e.g. {@code "Relu"}, {@code "Gelu"}
 * @param kind hard or soft gate
 * @param preactivation the name of the tensor fed into the nonlinearity
 * @param shape the pre-activation's shape for one point, without the batch axis ({@code -1} where
 *     dynamic)
 * @param neurons number of neurons coded per point (product of {@code shape}), or -1 if dynamic
 */
public record ActivationSite(String name, String op, GateKind kind, String preactivation, long[] shape, long neurons) {
    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationSite s
                && name.equals(s.name)
                && op.equals(s.op)
                && kind == s.kind
                && preactivation.equals(s.preactivation)
                && Arrays.equals(shape, s.shape)
                && neurons == s.neurons;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + "(" + op + ", " + kind + ", " + preactivation + Arrays.toString(shape) + ")";
    }
}
