package org.polytopelens.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.polytopelens.api.data.Tensor;

/**
 * Converts between the workbench's float32 {@link Tensor} and ONNX Runtime tensors. Inputs of
 * other numeric types (token ids as int64, masks as bool) are converted from the float values,
 * rounded to the nearest integer: exact for every integer of magnitude up to 2^24 (16,777,216),
 * far beyond tokenizer vocabularies (BERT's 30,522, GPT-2's 50,257); larger ids cannot be told
 * apart in float32. Fetched tensors of other numeric types are converted to float.
 */
final class Tensors {
    private Tensors() {}

    /** Reused feed buffers up to this size (bytes); larger feeds get a buffer of their own per call. */
    static final int REUSED_FEED_MAX = 64 << 20;

    /**
     * Per thread and input name, the direct buffer its float feeds are copied into. ONNX Runtime
     * reads a direct buffer in place, whereas a heap array makes its binding allocate (and zero) a
     * fresh direct buffer per call, which cost ~12% of a large slice. Safe to reuse because every
     * caller closes its input tensors before the thread feeds that name again.
     */
    private static final ThreadLocal<java.util.Map<String, ByteBuffer>> FEEDS = ThreadLocal.withInitial(java.util.HashMap::new);

    private static FloatBuffer feedBuffer(String name, float[] d) {
        long bytes = 4L * d.length;
        if (bytes > REUSED_FEED_MAX) {
            return FloatBuffer.wrap(d);
        }
        java.util.Map<String, ByteBuffer> mine = FEEDS.get();
        ByteBuffer b = mine.get(name);
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect((int) Math.max(bytes, 1 << 12)).order(ByteOrder.nativeOrder());
            mine.put(name, b);
        }
        FloatBuffer f = b.asFloatBuffer();
        f.put(d);
        f.flip();
        return f;
    }

    static OnnxTensor toOrt(OrtEnvironment env, String name, Tensor t, OnnxJavaType type) throws OrtException {
        float[] d = t.data();
        long[] shape = t.shape();
        switch (type) {
            case FLOAT:
                return OnnxTensor.createTensor(env, feedBuffer(name, d), shape);
            case DOUBLE: {
                double[] v = new double[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = d[i];
                }
                return OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape);
            }
            case INT64: {
                long[] v = new long[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = Math.round(d[i]);
                }
                return OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
            }
            case INT32: {
                int[] v = new int[d.length];
                for (int i = 0; i < d.length; i++) {
                    v[i] = Math.round(d[i]);
                }
                return OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
            }
            case INT8:
            case UINT8:
            case BOOL: {
                ByteBuffer v = ByteBuffer.allocateDirect(d.length).order(ByteOrder.nativeOrder());
                for (float f : d) {
                    v.put(type == OnnxJavaType.BOOL ? (byte) (f != 0 ? 1 : 0) : (byte) Math.round(f));
                }
                v.rewind();
                return OnnxTensor.createTensor(env, v, shape, type);
            }
            default:
                throw new IllegalArgumentException("cannot feed '" + name + "' of element type " + type
                        + "; feedable types: float, double, int64, int32, int8, uint8, bool");
        }
    }

    static Tensor fromOrt(String name, OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        OnnxJavaType type = t.getInfo().type;
        float[] out;
        switch (type) {
            case FLOAT: {
                FloatBuffer b = t.getFloatBuffer();
                out = new float[b.remaining()];
                b.get(out);
                break;
            }
            case DOUBLE: {
                DoubleBuffer b = t.getDoubleBuffer();
                out = new float[b.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) b.get(i);
                }
                break;
            }
            case INT64: {
                LongBuffer b = t.getLongBuffer();
                out = new float[b.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i);
                }
                break;
            }
            case INT32: {
                IntBuffer b = t.getIntBuffer();
                out = new float[b.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i);
                }
                break;
            }
            case INT8:
            case UINT8:
            case BOOL: {
                ByteBuffer b = t.getByteBuffer();
                out = new float[b.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = type == OnnxJavaType.UINT8 ? b.get(i) & 0xff : b.get(i);
                }
                break;
            }
            default:
                throw new IllegalArgumentException("cannot fetch '" + name + "' of element type " + type
                        + "; fetchable types: float, double, int64, int32, int8, uint8, bool");
        }
        return new Tensor(shape, out);
    }

    /**
     * Packs {@code rows} rows of {@code k} booleans (bytes 0/1, rows contiguous from the buffer's
     * position) into bits {@code offset .. offset + k} of each row of {@code words} ({@link
     * org.polytopelens.api.data.SplineCodes} layout: bit j of a row is bit {@code j & 63} of word
     * {@code j >> 6}). Eight bytes at a time: multiplying them as a little-endian long by
     * 0x0102040810204080 gathers byte i's low bit into bit 56 + i.
     */
    static void packBools(java.nio.ByteBuffer bytes, int rows, int k, long[] words, int wordsPerRow, int offset) {
        java.nio.ByteBuffer b = bytes.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int start = b.position();
        if (b.remaining() < (long) rows * k) {
            throw new IllegalStateException("expected " + (long) rows * k + " booleans, got " + b.remaining());
        }
        // The word being filled stays in a register and is stored once full: or-ing into words[]
        // per group of 8 made every group wait for the previous group's store (2.7 us a point of
        // 7,408 bits, PackBenchmark). Bits of this site start at offset; only the first word can
        // hold earlier sites' bits, the rest of the row is still zero.
        for (int r = 0; r < rows; r++) {
            int src = start + r * k;
            int w = r * wordsPerRow + (offset >>> 6), sh = offset & 63;
            long acc = words[w];
            int j = 0;
            for (; j + 8 <= k; j += 8) {
                long bits = (b.getLong(src + j) * 0x0102040810204080L) >>> 56;
                acc |= bits << sh;
                sh += 8;
                if (sh >= 64) {
                    words[w++] = acc;
                    sh -= 64;
                    acc = sh == 0 ? 0 : bits >>> (8 - sh);
                }
            }
            finishRow(words, w, sh, acc, j, k, i -> b.get(src + i) != 0);
        }
    }

    /**
     * Ends a row packed with the word being filled in a register ({@code acc}, its next bit
     * {@code sh}, to be stored at {@code words[w]}): bits {@code [j, k)} one by one, {@code on}
     * saying which are set, then the partly filled word. Shared by the packers' tails.
     */
    static void finishRow(long[] words, int w, int sh, long acc, int j, int k, java.util.function.IntPredicate on) {
        for (; j < k; j++) {
            if (on.test(j)) {
                acc |= 1L << sh;
            }
            if (++sh == 64) {
                words[w++] = acc;
                sh = 0;
                acc = 0;
            }
        }
        if (sh != 0) {
            words[w] = acc;
        }
    }
}
