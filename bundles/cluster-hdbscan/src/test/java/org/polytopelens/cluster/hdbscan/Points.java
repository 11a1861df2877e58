package org.polytopelens.cluster.hdbscan;

import java.util.Random;
import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.VectorPoints;

/** Test data: hand-placed 1-D points, seeded Gaussian blobs with uniform noise, noisy codes. */
final class Points {
    private Points() {}

    static VectorPoints line(double... x) {
        float[] d = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = (float) x[i];
        }
        return new VectorPoints(Tensor.batch(x.length, new long[] {1}, d), VectorPoints.Metric.EUCLIDEAN);
    }

    static VectorPoints vectors(double[][] rows) {
        int w = rows[0].length;
        float[] d = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < w; k++) {
                d[i * w + k] = (float) rows[i][k];
            }
        }
        return new VectorPoints(Tensor.batch(rows.length, new long[] {w}, d), VectorPoints.Metric.EUCLIDEAN);
    }

    /** {@code blobs * perBlob} points from unit Gaussians around centres in [-10, 10]^dim, then {@code noise} uniform points in [-12, 12]^dim. Stored as floats (what VectorPoints keeps). */
    static double[][] blobs(long seed, int blobs, int perBlob, int noise, int dim) {
        Random r = new Random(seed);
        double[][] centres = new double[blobs][dim];
        for (double[] c : centres) {
            for (int k = 0; k < dim; k++) {
                c[k] = -10 + 20 * r.nextDouble();
            }
        }
        double[][] rows = new double[blobs * perBlob + noise][dim];
        for (int b = 0; b < blobs; b++) {
            for (int i = 0; i < perBlob; i++) {
                for (int k = 0; k < dim; k++) {
                    rows[b * perBlob + i][k] = (float) (centres[b][k] + r.nextGaussian());
                }
            }
        }
        for (int i = blobs * perBlob; i < rows.length; i++) {
            for (int k = 0; k < dim; k++) {
                rows[i][k] = (float) (-12 + 24 * r.nextDouble());
            }
        }
        return rows;
    }

    /** Codes: {@code groups} random prototypes, members with each bit flipped with probability {@code flip}, then {@code noise} uniform random codes. */
    static CodePoints codes(long seed, int bits, int groups, int perGroup, double flip, int noise) {
        Random r = new Random(seed);
        int n = groups * perGroup + noise;
        int wpr = SplineCodes.wordsPerRow(bits);
        long[] words = new long[n * wpr];
        boolean[][] protos = new boolean[groups][bits];
        for (boolean[] p : protos) {
            for (int b = 0; b < bits; b++) {
                p[b] = r.nextBoolean();
            }
        }
        for (int i = 0; i < n; i++) {
            int g = i / perGroup;
            for (int b = 0; b < bits; b++) {
                boolean bit = g < groups ? protos[g][b] ^ (r.nextDouble() < flip) : r.nextBoolean();
                if (bit) {
                    words[i * wpr + (b >>> 6)] |= 1L << (b & 63);
                }
            }
        }
        return new CodePoints(new SplineCodes(n, bits, words));
    }

    /** Adjusted Rand index (Hubert and Arabie); noise (-1) counts as one more label, as in scikit-learn. */
    static double ari(int[] a, int[] b) {
        java.util.Map<Long, Long> cells = new java.util.HashMap<>();
        java.util.Map<Integer, Long> rowsA = new java.util.HashMap<>(), rowsB = new java.util.HashMap<>();
        for (int i = 0; i < a.length; i++) {
            cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1L, Long::sum);
            rowsA.merge(a[i], 1L, Long::sum);
            rowsB.merge(b[i], 1L, Long::sum);
        }
        double index = cells.values().stream().mapToDouble(Points::pairs).sum();
        double sa = rowsA.values().stream().mapToDouble(Points::pairs).sum();
        double sb = rowsB.values().stream().mapToDouble(Points::pairs).sum();
        double expected = sa * sb / pairs(a.length);
        double max = (sa + sb) / 2;
        return max == expected ? 1 : (index - expected) / (max - expected);
    }

    private static double pairs(long n) {
        return n * (n - 1) / 2.0;
    }
}
