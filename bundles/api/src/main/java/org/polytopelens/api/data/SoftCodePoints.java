package org.polytopelens.api.data;

/** Soft codes with expected Hamming or L1 distance. */
public record SoftCodePoints(SoftCodes codes, boolean l1) implements PointSet {
    @Override
    public int size() {
        return codes.count();
    }

    @Override
    public double distance(int i, int j) {
        return l1 ? codes.l1(i, j) : codes.expectedHamming(i, j);
    }
}
