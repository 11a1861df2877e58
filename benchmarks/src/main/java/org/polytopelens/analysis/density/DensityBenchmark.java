package org.polytopelens.analysis.density;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.core.internal.ParallelEngine;

/**
 * The density analysis' pair loop (issue 4): for every pair of {@code n} points, Hamming distance
 * of the 7,408-bit codes over Euclidean distance of the 784-float points (the CNN's input layer),
 * into Welford moments overall, intra- and inter-class, raw values kept when at most 2^24 pairs.
 * It runs the analysis' own {@link Pairs}, {@link Space} and {@link Moments} (this class sits in
 * their package) on the core's {@link ParallelEngine} with two threads, sharded as
 * {@code DensityAnalysis.measure} shards (a copy of its shard and merge, which are private there).
 * Codes come before: this measures only the pairs. Points: seeded uniform [0, 1) floats; codes:
 * seeded random bits; 10 random labels (costs do not depend on the values). With n = 20,000 the
 * analysis' 2e8 requested pairs exceed the 199,990,000 there are, so it takes all of them
 * (no key array; memory O(n)). Pairs per second = pairs / score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DensityBenchmark {
    static final int BITS = 7408, DIM = 784, THREADS = 2;

    @Param({"2000", "20000"})
    public int n;

    private Space space;
    private int[] labels;
    private Pairs pairs;
    private ParallelEngine engine;

    @Setup
    public void setUp() {
        Random r = new Random(7);
        float[] points = new float[n * DIM];
        for (int k = 0; k < points.length; k++) {
            points[k] = r.nextFloat();
        }
        int wpr = SplineCodes.wordsPerRow(BITS);
        long[] words = new long[n * wpr];
        long last = (1L << (BITS % 64)) - 1;
        for (int k = 0; k < words.length; k++) {
            words[k] = r.nextLong() & (k % wpr == wpr - 1 ? last : -1L);
        }
        space = new Space(n, DIM, points, new SplineCodes(n, BITS, words), null);
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
        }
        pairs = Pairs.sample(n, 200_000_000L, 1);
        engine = new ParallelEngine(THREADS);
        check();
        System.out.println("density distances: " + SimdDots.describe());
    }

    @TearDown
    public void close() {
        engine.close();
    }

    /** The workbench: returns the overall mean raw density (checked against a direct sum for n = 2,000 in {@link #check}). */
    @Benchmark
    public double pairs() {
        return measure().all().meanOrNaN();
    }

    /** The analysis' own pair loop. */
    DensityAnalysis.Block measure() {
        return DensityAnalysis.pairDensities(engine, Progress.NONE, space, labels, pairs, pairs.size() <= DensityAnalysis.KEEP);
    }

    /** At setup of n = 2,000: every pair visited once, the mean equals a plain double loop's to 1e-9 (the workbench sums the dot product in float). */
    private void check() {
        if (n > 2000) {
            return;
        }
        DensityAnalysis.Block b = measure();
        double sum = 0;
        long count = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dd = 0;
                for (int k = 0; k < DIM; k++) {
                    double x = (double) space.points()[i * DIM + k] - space.points()[j * DIM + k];
                    dd += x * x;
                }
                sum += space.codeDistance(i, j) / Math.sqrt(dd);
                count++;
            }
        }
        if (b.all().n + b.skipped() != count || b.intra().n + b.inter().n != b.all().n || Math.abs(b.all().mean - sum / count) > 1e-9 * sum / count) {
            throw new IllegalStateException("pair loop disagrees with the direct loop: " + b.all().n + " pairs, mean " + b.all().mean + " vs "
                    + count + ", " + sum / count);
        }
    }
}
