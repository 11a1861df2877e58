package org.polytopelens.api.data;

import java.util.Arrays;

/**
 * A partition of points: {@code labels[i]} in {@code [0, clusters)}, or {@link #NOISE}.
 * {@code strength[i]} is the algorithm's membership strength in [0, 1] (1 where it has none).
 */
public record Clustering(int[] labels, int clusters, double[] strength) {
    public static final int NOISE = -1;

    public Clustering {
        if (labels.length != strength.length) {
            throw new IllegalArgumentException("labels and strengths differ in length");
        }
    }

    public int size() {
        return labels.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Clustering c && clusters == c.clusters && Arrays.equals(labels, c.labels) && Arrays.equals(strength, c.strength);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "Clustering[" + labels.length + " points, " + clusters + " clusters]";
    }
}
