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
record Space(int n, int dim, float[] points, SplineCodes hard, SoftCodes soft) {
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

    /** Euclidean distance between points a and b. */
    double distance(int a, int b) {
        int oa = a * dim, ob = b * dim;
        double s = 0;
        for (int k = 0; k < dim; k++) {
            double d = points[oa + k] - points[ob + k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
