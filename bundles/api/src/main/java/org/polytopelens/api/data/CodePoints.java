package org.polytopelens.api.data;

/** Hard codes with Hamming distance (popcount on the packed words). */
public record CodePoints(SplineCodes codes) implements PointSet {
    @Override
    public int size() {
        return codes.count();
    }

    @Override
    public double distance(int i, int j) {
        return codes.hamming(i, j);
    }
}
