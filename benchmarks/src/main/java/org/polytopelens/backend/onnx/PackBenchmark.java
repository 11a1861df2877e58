package org.polytopelens.backend.onnx;

import java.nio.ByteBuffer;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.polytopelens.api.data.SplineCodes;

/**
 * The backend's packing of in-graph sign booleans alone ({@link Tensors#packBools}, in its
 * package), for a batch of 256 points of the CNN's three ReLU sites (5,408 + 1,936 + 64 bytes a
 * point, about half of them 1), from a direct buffer as ONNX Runtime leaves them. Points per second.
 */
@State(Scope.Benchmark)
public class PackBenchmark {
    static final int BATCH = 256;
    static final int[] NEURONS = {5408, 1936, 64};

    private ByteBuffer bools;

    @Setup
    public void setUp() {
        int total = 0;
        for (int k : NEURONS) {
            total += k;
        }
        bools = ByteBuffer.allocateDirect(BATCH * total);
        Random r = new Random(1);
        for (int i = 0; i < bools.capacity(); i++) {
            bools.put(i, (byte) (r.nextBoolean() ? 1 : 0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long[] packBools() {
        int width = 5408 + 1936 + 64, wpr = SplineCodes.wordsPerRow(width);
        long[] words = new long[BATCH * wpr];
        int at = 0, offset = 0;
        for (int k : NEURONS) {
            Tensors.packBools(bools.slice(at, BATCH * k), BATCH, k, words, wpr, offset);
            at += BATCH * k;
            offset += k;
        }
        return words;
    }
}
