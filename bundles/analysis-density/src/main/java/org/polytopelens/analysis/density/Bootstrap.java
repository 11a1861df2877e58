package org.polytopelens.analysis.density;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;

/**
 * Percentile bootstrap confidence interval of a mean: {@code resamples} resamples of the values
 * drawn with replacement, their means sorted, the {@code (1 -/+ confidence) / 2} quantiles
 * (linear interpolation between order statistics, numpy's default). Resamples run as shards of
 * {@value #PER_SHARD}, each with its own random stream derived from (seed, stream, shard), so the
 * interval is the same on any number of threads.
 */
final class Bootstrap {
    static final int PER_SHARD = 250;

    /** Draws (resamples x values) beyond which the normal approximation is used instead. */
    static final long BUDGET = 2_000_000_000L;

    record Interval(double low, double high, String method) {}

    private Bootstrap() {}

    static Interval percentile(float[] values, int resamples, double confidence, long seed, long stream, Engine engine, Progress progress) {
        int m = values.length;
        if (m == 0) {
            return new Interval(Double.NaN, Double.NaN, "none");
        }
        int shards = (resamples + PER_SHARD - 1) / PER_SHARD;
        double[] means = engine.run(new Sharded<double[]>() {
            @Override
            public int shards() {
                return shards;
            }

            @Override
            public double[] shard(int index, Progress p) {
                SplittableRandom rnd = new SplittableRandom(mix(seed, stream, index));
                int count = Math.min(PER_SHARD, resamples - index * PER_SHARD);
                double[] out = new double[count];
                for (int r = 0; r < count; r++) {
                    p.checkCancelled();
                    double sum = 0;
                    for (int k = 0; k < m; k++) {
                        sum += values[rnd.nextInt(m)];
                    }
                    out[r] = sum / m;
                }
                return out;
            }

            @Override
            public double[] merge(List<double[]> parts) {
                return parts.stream().flatMapToDouble(Arrays::stream).toArray();
            }
        }, progress);
        Arrays.sort(means);
        double tail = (1 - confidence) / 2;
        return new Interval(quantile(means, tail), quantile(means, 1 - tail), "percentile bootstrap");
    }

    /** The normal interval {@code mean -/+ z sd / sqrt(n)}, for groups too large to resample. */
    static Interval normal(double mean, double variance, long n, double confidence) {
        if (n < 2) {
            return new Interval(mean, mean, "none");
        }
        double z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - (1 - confidence) / 2);
        double h = z * Math.sqrt(variance / n);
        return new Interval(mean - h, mean + h, "normal approximation");
    }

    /** Quantile q of sorted values, interpolating linearly between order statistics. */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** A well-mixed 64-bit seed from the run seed, a stream id and a shard index (splitmix64 finaliser). */
    static long mix(long seed, long stream, long shard) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + shard * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
