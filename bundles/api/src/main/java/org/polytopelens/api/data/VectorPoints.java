package org.polytopelens.api.data;

/** Rows of a tensor as vectors, with Euclidean or cosine distance. */
public record VectorPoints(Tensor vectors, Metric metric) implements PointSet {
    public enum Metric {
        EUCLIDEAN,
        /** 1 - cosine similarity. */
        COSINE
    }

    @Override
    public int size() {
        return vectors.rows();
    }

    @Override
    public double distance(int i, int j) {
        int w = vectors.rowSize();
        float[] d = vectors.data();
        int a = i * w, b = j * w;
        if (metric == Metric.EUCLIDEAN) {
            double s = 0;
            for (int k = 0; k < w; k++) {
                double x = d[a + k] - d[b + k];
                s += x * x;
            }
            return Math.sqrt(s);
        }
        double dot = 0, na = 0, nb = 0;
        for (int k = 0; k < w; k++) {
            dot += d[a + k] * d[b + k];
            na += d[a + k] * d[a + k];
            nb += d[b + k] * d[b + k];
        }
        return na == 0 || nb == 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
    }
}
