package org.polytopelens.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.polytopelens.api.data.SplineCodes;

/**
 * Popcount Hamming distances of bit-packed codes ({@link SplineCodes#hamming}), as the distance
 * matrices and clusterings use them: every pair of 1,000 codes, one thread. Scores are pairs per
 * second. Code bits are seeded random (the popcount's cost does not depend on them); 7,408 bits is
 * the CNN of issue 3, 96 the sample MLP 784-64-32-10.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HammingBenchmark {
    static final int CODES = 1000;
    static final int PAIRS = CODES * (CODES - 1) / 2;

    @Param({"96", "7408"})
    public int bits;

    private SplineCodes codes;

    @Setup
    public void setUp() {
        int w = SplineCodes.wordsPerRow(bits);
        long[] words = new long[CODES * w];
        Random r = new Random(11);
        long lastMask = bits % 64 == 0 ? -1L : (1L << (bits % 64)) - 1;
        for (int i = 0; i < words.length; i++) {
            words[i] = r.nextLong() & ((i % w == w - 1) ? lastMask : -1L);
        }
        codes = new SplineCodes(CODES, bits, words);
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public long allPairs() {
        long sum = 0;
        for (int i = 0; i < CODES; i++) {
            for (int j = i + 1; j < CODES; j++) {
                sum += codes.hamming(i, j);
            }
        }
        return sum;
    }
}
