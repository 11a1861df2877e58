package org.polytopelens.analysis.directions;

import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealVector;

/** Directions in activation space: NMF (Lee and Seung's multiplicative updates) and PCA. */
final class Factorizations {
    private Factorizations() {}

    /**
     * @param components k directions, rows of length d, unit length
     * @param weights per direction: its share of the reconstruction (NMF: of sum(W)|H|) or of the
     *     variance (PCA: eigenvalue / trace)
     * @param error NMF: relative Frobenius error |X - WH| / |X|; PCA: the share of variance left out
     * @param iterations NMF iterations run (PCA: 0)
     */
    record Result(double[][] components, double[] weights, double error, int iterations) {}

    /**
     * NMF of a non-negative n x d matrix into W (n x k) H (k x d), minimising |X - WH|_F by the
     * multiplicative updates (Lee and Seung 2001) from a seeded uniform start; stops after
     * {@code maxIterations} or when the relative error improves by less than {@code tolerance}
     * over 10 iterations.
     */
    static Result nmf(double[][] x, int k, int maxIterations, double tolerance, long seed) {
        int n = x.length, d = x[0].length;
        double mean = 0, norm2 = 0;
        for (double[] row : x) {
            for (double v : row) {
                mean += v;
                norm2 += v * v;
            }
        }
        mean /= (double) n * d;
        double scale = Math.sqrt(Math.max(mean, 1e-12) / k);
        SplittableRandom r = new SplittableRandom(seed);
        double[][] w = new double[n][k];
        double[][] h = new double[k][d];
        for (double[] row : w) {
            for (int j = 0; j < k; j++) {
                row[j] = scale * (0.5 + r.nextDouble());
            }
        }
        for (double[] row : h) {
            for (int j = 0; j < d; j++) {
                row[j] = scale * (0.5 + r.nextDouble());
            }
        }
        double eps = 1e-12;
        double checked = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < maxIterations) {
            it++;
            // H <- H .* (W^T X) ./ (W^T W H)
            double[][] wtx = new double[k][d];
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < k; a++) {
                    double wa = w[i][a];
                    if (wa != 0) {
                        for (int j = 0; j < d; j++) {
                            wtx[a][j] += wa * x[i][j];
                        }
                    }
                }
            }
            double[][] wtw = gram(w, k);
            for (int a = 0; a < k; a++) {
                for (int j = 0; j < d; j++) {
                    double den = 0;
                    for (int b = 0; b < k; b++) {
                        den += wtw[a][b] * h[b][j];
                    }
                    h[a][j] *= wtx[a][j] / (den + eps);
                }
            }
            // W <- W .* (X H^T) ./ (W H H^T)
            double[][] hht = new double[k][k];
            for (int a = 0; a < k; a++) {
                for (int b = a; b < k; b++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += h[a][j] * h[b][j];
                    }
                    hht[a][b] = hht[b][a] = s;
                }
            }
            for (int i = 0; i < n; i++) {
                double[] xht = new double[k];
                for (int a = 0; a < k; a++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += x[i][j] * h[a][j];
                    }
                    xht[a] = s;
                }
                double[] old = w[i].clone();
                for (int a = 0; a < k; a++) {
                    double den = 0;
                    for (int b = 0; b < k; b++) {
                        den += old[b] * hht[b][a];
                    }
                    w[i][a] = old[a] * xht[a] / (den + eps);
                }
            }
            if (it % 10 == 0) {
                double e = error(x, w, h, norm2);
                if (checked - e < tolerance) {
                    break;
                }
                checked = e;
            }
        }
        // Unit-length components; W takes the scale so that W H is unchanged.
        double[] weight = new double[k];
        double total = 0;
        for (int a = 0; a < k; a++) {
            double len = 0;
            for (int j = 0; j < d; j++) {
                len += h[a][j] * h[a][j];
            }
            len = Math.sqrt(len);
            double colSum = 0;
            for (int i = 0; i < n; i++) {
                w[i][a] *= len;
                colSum += w[i][a];
            }
            for (int j = 0; j < d; j++) {
                h[a][j] = len == 0 ? 0 : h[a][j] / len;
            }
            weight[a] = colSum;
            total += colSum;
        }
        for (int a = 0; a < k; a++) {
            weight[a] = total == 0 ? 0 : weight[a] / total;
        }
        return new Result(h, weight, error(x, w, h, norm2), it);
    }

    private static double[][] gram(double[][] w, int k) {
        double[][] g = new double[k][k];
        for (double[] row : w) {
            for (int a = 0; a < k; a++) {
                for (int b = a; b < k; b++) {
                    g[a][b] += row[a] * row[b];
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                g[a][b] = g[b][a];
            }
        }
        return g;
    }

    /** |X - W H|_F / |X|_F. */
    static double error(double[][] x, double[][] w, double[][] h, double norm2) {
        double s = 0;
        int k = h.length;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                double v = 0;
                for (int a = 0; a < k; a++) {
                    v += w[i][a] * h[a][j];
                }
                double e = x[i][j] - v;
                s += e * e;
            }
        }
        return norm2 == 0 ? 0 : Math.sqrt(s / norm2);
    }

    /**
     * PCA: the k leading eigenvectors of the covariance matrix of the rows (centred), each with
     * its share of the total variance; signs fixed so that the largest coordinate is positive.
     */
    static Result pca(double[][] x, int k) {
        int n = x.length, d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] row : x) {
            for (int a = 0; a < d; a++) {
                double ca = row[a] - mean[a];
                if (ca != 0) {
                    for (int b = a; b < d; b++) {
                        cov[a][b] += ca * (row[b] - mean[b]);
                    }
                }
            }
        }
        double trace = 0;
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                cov[a][b] /= Math.max(1, n - 1);
                cov[b][a] = cov[a][b];
            }
            trace += cov[a][a];
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        double[][] comps = new double[k][];
        double[] share = new double[k];
        double kept = 0;
        for (int a = 0; a < k; a++) {
            RealVector v = eig.getEigenvector(order[a]);
            double[] c = v.toArray();
            int big = 0;
            for (int j = 1; j < d; j++) {
                big = Math.abs(c[j]) > Math.abs(c[big]) ? j : big;
            }
            if (c[big] < 0) {
                for (int j = 0; j < d; j++) {
                    c[j] = -c[j];
                }
            }
            comps[a] = c;
            share[a] = trace == 0 ? 0 : Math.max(0, values[order[a]]) / trace;
            kept += share[a];
        }
        return new Result(comps, share, Math.max(0, 1 - kept), 0);
    }
}
