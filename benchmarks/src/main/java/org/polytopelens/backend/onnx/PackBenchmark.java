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
 * The backend's sign packing alone, in its package, for a batch of 256 points of the CNN's three
 * ReLU sites (5,408 + 1,936 + 64 values a point, about half of them positive), from direct
 * buffers as ONNX Runtime leaves them: {@code packBools}, the in-graph {@code Greater}'s booleans
 * ({@link Tensors#packBools}); {@code packFloats}, the Relu outputs on SIMD lanes ({@link
 * SimdSigns}; run the JVM with {@code --add-modules jdk.incubator.vector}). Points per second.
 */
@State(Scope.Benchmark)
public class PackBenchmark {
    static final int BATCH = 256;
    static final int[] NEURONS = {5408, 1936, 64};

    private ByteBuffer bools;
    private ByteBuffer floats;

    @Setup
    public void setUp() {
        int total = 0;
        for (int k : NEURONS) {
            total += k;
        }
        bools = ByteBuffer.allocateDirect(BATCH * total);
        Random r = new Random(1);
        floats = ByteBuffer.allocateDirect(4 * BATCH * total).order(java.nio.ByteOrder.nativeOrder());
        for (int i = 0; i < bools.capacity(); i++) {
            boolean on = r.nextBoolean();
            bools.put(i, (byte) (on ? 1 : 0));
            floats.putFloat(4 * i, on ? r.nextFloat() + 1e-3f : 0f);
        }
        if (!SimdSigns.AVAILABLE) {
            throw new IllegalStateException("packFloats needs the Vector API: java --add-modules jdk.incubator.vector -jar benchmarks.jar ...");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long[] packBools() {
        return pack(bools, 1, Tensors::packBools);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long[] packFloats() {
        return pack(floats, 4, SimdSigns::packPositive);
    }

    /** The backend's packing signature: (values, rows, k, words, words per row, bit offset). */
    interface Packer {
        void pack(ByteBuffer values, int rows, int k, long[] words, int wordsPerRow, int offset);
    }

    /** The three sites' values (bytesPer bytes each) packed side by side, as the backend does. */
    private static long[] pack(ByteBuffer values, int bytesPer, Packer packer) {
        int width = 5408 + 1936 + 64, wpr = SplineCodes.wordsPerRow(width);
        long[] words = new long[BATCH * wpr];
        int at = 0, offset = 0;
        for (int k : NEURONS) {
            packer.pack(values.slice(at, bytesPer * BATCH * k), BATCH, k, words, wpr, offset);
            at += bytesPer * BATCH * k;
            offset += k;
        }
        return words;
    }
}
