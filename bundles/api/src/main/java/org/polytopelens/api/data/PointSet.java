package org.polytopelens.api.data;

/**
 * Points to cluster or compare, with their distance. Standard sets: {@link VectorPoints}
 * (activations, Euclidean or cosine), {@link CodePoints} (hard codes, Hamming) and {@link
 * SoftCodePoints} (soft codes, expected Hamming or L1). A plugin may supply its own distance.
 */
public interface PointSet {
    int size();

    /** A metric (or at least symmetric, zero on the diagonal) distance between points i and j. */
    double distance(int i, int j);
}
