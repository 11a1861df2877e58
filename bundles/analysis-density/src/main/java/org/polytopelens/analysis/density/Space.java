package org.polytopelens.analysis.density;

import java.util.ArrayList;
import java.util.List;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Model;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * The first {@code n} dataset examples as points of the layer's space (float32, one row each,
 * flattened) with their codes from the layer to the output: bit-packed hard codes, or soft codes.
 * Computed once per model, batch by batch as shards on the engine.
 */
record Space(int n, int dim, float[] points, SplineCodes hard, SoftCodes soft, double[] norms) {
    /** With the squared norms of the points computed once (for {@link #distance}). */
    Space(int n, int dim, float[] points, SplineCodes hard, SoftCodes soft) {
        this(n, dim, points, hard, soft, squaredNorms(points, n, dim));
    }

    static double[] squaredNorms(float[] points, int n, int dim) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = i * dim, e = k + dim; k < e; k++) {
                s += (double) points[k] * points[k];
            }
            out[i] = s;
        }
        return out;
    }

    static Space extract(AnalysisContext ctx, Model model, int n, int batch, boolean soft, Progress progress) {
        SpaceEncoder encoder = ctx.encoder(model);
        if (encoder.layout().bits() == 0) {
            throw new IllegalArgumentException("no coded sites downstream of layer '" + ctx.layer() + "': the density analysis counts code bits"
                    + " between the layer and the output, so choose a layer before the last nonlinearity (see `workbench inspect`)");
        }
        int batches = (n + batch - 1) / batch;
        List<Object[]> parts = ctx.engine().run(new Sharded<List<Object[]>>() {
            @Override
            public int shards() {
                return batches;
            }

            @Override
            public List<Object[]> shard(int index, Progress p) throws Exception {
                p.checkCancelled();
                int from = index * batch;
                int to = Math.min(n, from + batch);
                Tensor points = ctx.points(model, from, to);
                // through the context: the run's other steps (another density, clusters...) share them
                Object codes = soft ? ctx.softCodes(model, from, to) : ctx.codes(model, from, to);
                List<Object[]> one = new ArrayList<>(1);
                one.add(new Object[] {points, codes});
                return one;
            }

            @Override
            public List<Object[]> merge(List<List<Object[]>> all) {
                List<Object[]> out = new ArrayList<>(all.size());
                all.forEach(out::addAll);
                return out;
            }
        }, progress);

        int dim = n == 0 ? 0 : ((Tensor) parts.get(0)[0]).rowSize();
        float[] points = new float[Math.multiplyExact(n, dim)];
        int at = 0;
        List<SplineCodes> hard = new ArrayList<>();
        List<SoftCodes> softs = new ArrayList<>();
        for (Object[] part : parts) {
            Tensor t = (Tensor) part[0];
            if (t.rowSize() != dim) {
                throw new IllegalStateException("points of the layer's space changed size between batches: " + dim + " vs " + t.rowSize());
            }
            System.arraycopy(t.data(), 0, points, at, t.data().length);
            at += t.data().length;
            if (part[1] instanceof SplineCodes s) {
                hard.add(s);
            } else {
                softs.add((SoftCodes) part[1]);
            }
        }
        return new Space(n, dim, points, soft ? null : SplineCodes.concatRows(hard), soft ? concatSoft(softs) : null);
    }

    private static SoftCodes concatSoft(List<SoftCodes> parts) {
        int neurons = parts.get(0).neurons();
        int count = parts.stream().mapToInt(SoftCodes::count).sum();
        float[] p = new float[Math.multiplyExact(count, neurons)];
        int at = 0;
        for (SoftCodes s : parts) {
            if (s.neurons() != neurons) {
                throw new IllegalStateException("soft codes changed width between batches: " + neurons + " vs " + s.neurons());
            }
            System.arraycopy(s.p(), 0, p, at, s.p().length);
            at += s.p().length;
        }
        return new SoftCodes(count, neurons, p);
    }

    /** Code bits (hard) or neurons (soft). */
    int bits() {
        return hard != null ? hard.bits() : soft.neurons();
    }

    /** Hamming distance of the hard codes, or expected Hamming distance of the soft codes. */
    double codeDistance(int a, int b) {
        return hard != null ? hard.hamming(a, b) : soft.expectedHamming(a, b);
    }

    /** Dimensions summed in float before each partial sum joins the double total (bounds the float rounding). */
    private static final int BLOCK = 32;

    /**
     * Euclidean distance between points a and b, from {@code |a|^2 + |b|^2 - 2 a.b}: the norms once
     * per point, the dot product per pair ({@link #dot}). Where that form cancels (the points are
     * close against their norms) the direct sum in double decides.
     */
    double distance(int a, int b) {
        return distance(a, b, dot(a, b));
    }

    /** The distance of points a and b given their dot product (from {@link #dot} or {@link #tileDots}). */
    double distance(int a, int b, double dot) {
        double sq = norms[a] + norms[b] - 2 * dot;
        if (sq < 1e-3 * (norms[a] + norms[b])) {
            return direct(a * dim, b * dim);
        }
        return Math.sqrt(sq);
    }

    /**
     * The dot product of points a and b: on SIMD lanes when the JVM has the Vector API
     * ({@link SimdDots}), else four float fused multiply-adds in flight, each block of {@link #BLOCK}
     * dimensions added to a double. Either way a relative error of about 1e-6.
     */
    double dot(int a, int b) {
        int oa = a * dim, ob = b * dim;
        return SimdDots.AVAILABLE ? SimdDots.dot(points, oa, points, ob, dim) : scalarDot(points, oa, ob, dim);
    }

    static double scalarDot(float[] points, int oa, int ob, int dim) {
        double dot = 0;
        int k = 0;
        for (; k + BLOCK <= dim; k += BLOCK) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int e = k + BLOCK, i = k; i < e; i += 4) {
                s0 = Math.fma(points[oa + i], points[ob + i], s0);
                s1 = Math.fma(points[oa + i + 1], points[ob + i + 1], s1);
                s2 = Math.fma(points[oa + i + 2], points[ob + i + 2], s2);
                s3 = Math.fma(points[oa + i + 3], points[ob + i + 3], s3);
            }
            dot += (double) (s0 + s1) + (s2 + s3);
        }
        for (; k < dim; k++) {
            dot += (double) points[oa + k] * points[ob + k];
        }
        return dot;
    }

    /**
     * Dot products of every point of {@code [i0, i1)} with every point of {@code [j0, j1)}: {@code
     * out[(i - i0) * width + (j - j0)]}. With SIMD four rows of the first block share each load of
     * the second's (2x the pairwise kernel).
     */
    void tileDots(int i0, int i1, int j0, int j1, double[] out, int width) {
        int i = i0;
        if (SimdDots.AVAILABLE) {
            for (; i + 4 <= i1; i += 4) {
                for (int j = j0; j < j1; j++) {
                    SimdDots.dots4(points, dim, i, j, out, (i - i0) * width + (j - j0), width);
                }
            }
        }
        for (; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                out[(i - i0) * width + (j - j0)] = dot(i, j);
            }
        }
    }

    /** The direct sum of squared differences in double. */
    private double direct(int oa, int ob) {
        double s = 0;
        for (int k = 0; k < dim; k++) {
            double d = (double) points[oa + k] - points[ob + k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
