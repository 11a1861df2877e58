package org.polytopelens.api.data;

/**
 * A polytope boundary crossed on a segment {@code a + t (b - a)}: at parameter {@code t} in
 * (0, 1), neuron {@code neuron} (flat index, C order) of {@code site} changes its gate.
 */
public record Crossing(double t, String site, int neuron) {}
