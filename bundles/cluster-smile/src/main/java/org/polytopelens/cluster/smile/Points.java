package org.polytopelens.cluster.smile;

import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.PointSet;
import org.polytopelens.api.data.SoftCodePoints;
import org.polytopelens.api.data.VectorPoints;
import smile.math.distance.Distance;

/** What Smile needs from a workbench point set: indices with the set's own distance, or coordinates. */
final class Points {
    private Points() {}

    /** 0..n-1, to cluster by index with {@link #distance}. */
    static Integer[] indices(PointSet points) {
        Integer[] idx = new Integer[points.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** The point set's distance (Euclidean, cosine, Hamming, expected Hamming...) between indices. */
    static Distance<Integer> distance(PointSet points) {
        return (a, b) -> points.distance(a, b);
    }

    /**
     * Coordinates for centroid methods: activations as they are, hard codes as 0/1 per bit, soft
     * codes as probabilities per neuron. Cosine vectors are normalised to unit length, so
     * Euclidean k-means on them clusters by angle (spherical k-means' assignment rule).
     */
    static double[][] coordinates(PointSet points) {
        if (points instanceof VectorPoints v) {
            int w = v.vectors().rowSize();
            double[][] x = new double[v.size()][w];
            float[] d = v.vectors().data();
            for (int i = 0; i < x.length; i++) {
                double norm = 0;
                for (int k = 0; k < w; k++) {
                    x[i][k] = d[i * w + k];
                    norm += x[i][k] * x[i][k];
                }
                if (v.metric() == VectorPoints.Metric.COSINE && norm > 0) {
                    double s = 1 / Math.sqrt(norm);
                    for (int k = 0; k < w; k++) {
                        x[i][k] *= s;
                    }
                }
            }
            return x;
        }
        if (points instanceof CodePoints c) {
            double[][] x = new double[c.size()][c.codes().bits()];
            for (int i = 0; i < x.length; i++) {
                for (int k = 0; k < x[i].length; k++) {
                    x[i][k] = c.codes().get(i, k) ? 1 : 0;
                }
            }
            return x;
        }
        if (points instanceof SoftCodePoints s) {
            int w = s.codes().neurons();
            double[][] x = new double[s.size()][w];
            for (int i = 0; i < x.length; i++) {
                for (int k = 0; k < w; k++) {
                    x[i][k] = s.codes().p()[i * w + k];
                }
            }
            return x;
        }
        throw new IllegalArgumentException("k-means needs coordinates: activations, hard codes or soft codes, got " + points.getClass().getSimpleName()
                + "; cluster such points with dbscan, hierarchical or hdbscan, which need only distances");
    }
}
