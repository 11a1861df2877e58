package org.polytopelens.backend.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * "x &gt; 0" of float rows, packed to bits on the JDK's SIMD Vector API ({@code
 * jdk.incubator.vector}). This lets {@link OnnxModel#signCodes()} fetch the sign sources as
 * floats, which ONNX Runtime hands out at almost no extra work when they are Relu outputs,
 * instead of running {@code Greater(x, 0)} in the graph and packing its booleans. On the sample
 * CNN (7,408 ReLU bits, batch 256, one thread) the {@code Greater}s took 1.5 us a point (ONNX
 * Runtime's profiler) and their packing ~1 us; this takes ~1.5 us; code extraction went from
 * 0.75x to 0.79-0.83x of plain ONNX Runtime (docs/performance.md). Scalar Java cannot pack floats
 * that fast (a compare and branch per float), so without the module, or with {@code
 * -Dpolytopelens.simd=false}, {@link #AVAILABLE} is false and the backend keeps the {@code Greater}.
 */
final class SimdSigns {
    static final boolean AVAILABLE = probe();

    private SimdSigns() {}

    private static final java.util.concurrent.atomic.AtomicBoolean WARMING = new java.util.concurrent.atomic.AtomicBoolean();
    private static final java.util.concurrent.CountDownLatch WARM = new java.util.concurrent.CountDownLatch(1);

    /**
     * Starts compiling the kernel on a background thread. Until C2 has compiled it, the Vector
     * API runs as Java objects, ~100x slower: two engine threads packing the first 100 batches of
     * the sample CNN spent 0.6 s of CPU in it, against 0.05 s once compiled. The backend calls
     * this when it opens a model, so the warm-up (~0.18 s) overlaps the rest of the opening and
     * the session's creation, and {@link #packPositive} waits for it.
     */
    static void warmUp() {
        if (!AVAILABLE || !WARMING.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                // The row loop too: interpreted, it took ~0.15 s per thread for the first batch
                // even with step() compiled. C2 compiles a method after ~5,000 calls.
                int k = 2 * Kernel.STEP + 3;
                ByteBuffer b = ByteBuffer.allocateDirect(4 * k).order(ByteOrder.nativeOrder());
                long[] words = new long[2];
                long sum = 0;
                for (int i = 0; i < 15_000; i++) {
                    b.putFloat(4 * (i % k), i & 1);
                    words[0] = 0;
                    words[1] = 0;
                    Kernel.pack(b, 1, k, words, 2, 0);
                    sum += words[0] + words[1];
                }
                sink = sum;
            } finally {
                WARM.countDown();
            }
        }, "polytopelens-simd-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Keeps the warm-up's result observable, so its loop is not optimised away. */
    @SuppressWarnings("unused")
    private static volatile long sink;

    private static boolean probe() {
        if (!Boolean.parseBoolean(System.getProperty("polytopelens.simd", "true"))) {
            return false;
        }
        try {
            // 70 floats: full steps and a tail, bits across a word boundary. Direct, as ONNX
            // Runtime's outputs are: the JIT's type profile of the kernel sees one buffer class.
            ByteBuffer b = ByteBuffer.allocateDirect(4 * 70).order(ByteOrder.nativeOrder());
            long want0 = 0, want1 = 0;
            for (int i = 0; i < 70; i++) {
                float v = i % 3 == 0 ? 1f + i : i % 3 == 1 ? -0f : -i;
                b.putFloat(4 * i, v);
                if (v > 0) {
                    if (i < 64) {
                        want0 |= 1L << i;
                    } else {
                        want1 |= 1L << (i - 64);
                    }
                }
            }
            long[] words = new long[2];
            Kernel.pack(b, 1, 70, words, 2, 0);
            return words[0] == want0 && words[1] == want1;
        } catch (LinkageError e) { // NoClassDefFoundError: the JVM has no jdk.incubator.vector
            return false;
        }
    }

    /**
     * Sets bit {@code offset + j} of row r (row r's words start at {@code r * wordsPerRow}) when
     * float {@code r * k + j} of {@code floats} (read in native order, from index 0) is &gt; 0; NaN and
     * -0 give 0, as ONNX's {@code Greater(x, 0)}. Bits of this site start at {@code offset}: only
     * the first word can hold earlier sites' bits, the rest of the row must still be zero.
     */
    static void packPositive(ByteBuffer floats, int rows, int k, long[] words, int wordsPerRow, int offset) {
        if (floats.capacity() < 4L * rows * k) {
            throw new IllegalStateException("expected " + (long) rows * k + " floats, got " + floats.capacity() / 4);
        }
        warmUp();
        try {
            WARM.await(2, java.util.concurrent.TimeUnit.SECONDS); // ~0.1 s, once per JVM; it only speeds up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Kernel.pack(floats.duplicate().order(ByteOrder.nativeOrder()), rows, k, words, wordsPerRow, offset);
    }

    /** Holds the species: touching it is what fails without the module, so it sits behind the probe. */
    private static final class Kernel {
        /** At most 16 lanes, so that two vectors' bits fit one int lane. */
        static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() <= 16 ? FloatVector.SPECIES_PREFERRED
                : FloatVector.SPECIES_512;
        static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize()));
        static final int L = F.length(), STEP = 2 * L;
        /** Lane i's bit (1 << i) for the first vector of a step, (1 << (L + i)) for the second. */
        static final IntVector LO = IntVector.broadcast(I, 1).lanewise(VectorOperators.LSHL, IntVector.zero(I).addIndex(1));
        static final IntVector HI = LO.lanewise(VectorOperators.LSHL, L);
        static final long STEP_MASK = STEP == 64 ? -1L : (1L << STEP) - 1;

        /**
         * Bits of the STEP floats at byte {@code at}. A method of its own, no vector crossing its
         * boundary: once C2 has compiled it (with the Vector API's intrinsics), callers that are
         * not compiled yet still run it at full speed.
         */
        static long step(ByteBuffer b, int at) {
            ByteOrder order = ByteOrder.nativeOrder();
            IntVector zero = IntVector.zero(I);
            IntVector v = zero.blend(LO, FloatVector.fromByteBuffer(F, b, at, order).compare(VectorOperators.GT, 0f).cast(I))
                    .or(zero.blend(HI, FloatVector.fromByteBuffer(F, b, at + 4 * L, order).compare(VectorOperators.GT, 0f).cast(I)));
            return v.reduceLanes(VectorOperators.OR) & STEP_MASK;
        }

        static void pack(ByteBuffer b, int rows, int k, long[] words, int wordsPerRow, int offset) {
            for (int r = 0; r < rows; r++) {
                int src = 4 * r * k;
                int w = r * wordsPerRow + (offset >>> 6), sh = offset & 63;
                long acc = words[w];
                int j = 0;
                // The word being filled stays in a register and is stored once full (as Tensors.packBools).
                for (; j + STEP <= k; j += STEP) {
                    long bits = step(b, src + 4 * j);
                    acc |= bits << sh;
                    sh += STEP;
                    if (sh >= 64) {
                        words[w++] = acc;
                        sh -= 64;
                        acc = sh == 0 ? 0 : bits >>> (STEP - sh);
                    }
                }
                Tensors.finishRow(words, w, sh, acc, j, k, i -> b.getFloat(src + 4 * i) > 0);
            }
        }
    }
}
