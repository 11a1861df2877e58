package org.polytopelens.api.data;

import java.util.Arrays;
import java.util.Map;

/**
 * A nonlinearity in a model graph.
 *
 * @param name the graph node's name (for a pattern such as GELU's Erf subgraph, the node that
 *     reads the pre-activation)
 * @param op the operator, e.g. {@code "Relu"}, {@code "Gelu"}
 * @param kind hard or soft gate
 * @param preactivation the name of the tensor fed into the nonlinearity
 * @param shape the pre-activation's shape for one point, without the batch axis ({@code -1} where
 *     dynamic); for a per-token site (attribute {@code sequence_axis}) without the batch and
 *     sequence axes: {@code [1536]} for a {@code [batch, seq, 1536]} pre-activation
 * @param neurons number of neurons coded per point, or -1 if dynamic: the product of {@code shape},
 *     except for MaxPool, whose code has one group per output element (its pre-activation is the
 *     pool's input)
 * @param attributes what a coder needs beyond the op, resolved by the backend from attributes or
 *     constant inputs: e.g. {@code min}/{@code max} (Double) for Clip, {@code alpha} for
 *     LeakyRelu, {@code kernel_shape}/{@code strides}/{@code pads} (long[]) for MaxPool, {@code beta}
 *     for Swish. Values are Long, Double, String, long[] or double[]. Sites of sequence models
 *     coded per token (one point per token position) have {@code sequence_axis} (Long, 1): the
 *     pre-activation is {@code [batch, seq, shape...]}, whose row-major data is {@code batch * seq}
 *     points of {@code shape}; positions whose attention mask is 0 (padding) are not points.
 */
public record ActivationSite(
        String name, String op, GateKind kind, String preactivation, long[] shape, long neurons, Map<String, Object> attributes) {
    public ActivationSite {
        attributes = Map.copyOf(attributes);
    }

    /** A site whose op needs no attributes. */
    public ActivationSite(String name, String op, GateKind kind, String preactivation, long[] shape, long neurons) {
        this(name, op, kind, preactivation, shape, neurons, Map.of());
    }

    /** A numeric attribute, or {@code fallback} if absent. */
    public double attribute(String key, double fallback) {
        Object v = attributes.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }
    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationSite s
                && name.equals(s.name)
                && op.equals(s.op)
                && kind == s.kind
                && preactivation.equals(s.preactivation)
                && Arrays.equals(shape, s.shape)
                && neurons == s.neurons
                && attributes.keySet().equals(s.attributes.keySet())
                && attributes.entrySet().stream().allMatch(e -> Arrays.deepEquals(new Object[] {e.getValue()}, new Object[] {s.attributes.get(e.getKey())}));
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
