package org.polytopelens.npy;

import java.util.Arrays;
import org.polytopelens.api.data.Tensor;

/**
 * An array in memory: dtype, shape (C order) and data as the primitive array matching the dtype
 * ({@code float[]} for float32, {@code double[]} for float64, {@code byte[]} for uint8 (unsigned
 * values stored in Java bytes), {@code long[]} for int64, {@code int[]} for int32, {@code
 * boolean[]} for bool). The data array is owned by this value: do not modify it.
 */
public record NpyArray(NpyDtype dtype, long[] shape, Object data) {
    public NpyArray {
        shape = shape.clone();
        Class<?> want = switch (dtype) {
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case UINT8 -> byte[].class;
            case INT64 -> long[].class;
            case INT32 -> int[].class;
            case BOOL -> boolean[].class;
        };
        if (data == null || data.getClass() != want) {
            throw new IllegalArgumentException("dtype " + dtype + " needs data of type " + want.getSimpleName() + ", got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        long n = new NpyHeader(dtype, shape, 0).count();
        int len = java.lang.reflect.Array.getLength(data);
        if (n != len) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + len);
        }
    }

    public static NpyArray ofFloat32(long[] shape, float[] data) {
        return new NpyArray(NpyDtype.FLOAT32, shape, data);
    }

    public static NpyArray ofFloat64(long[] shape, double[] data) {
        return new NpyArray(NpyDtype.FLOAT64, shape, data);
    }

    public static NpyArray ofUint8(long[] shape, byte[] data) {
        return new NpyArray(NpyDtype.UINT8, shape, data);
    }

    public static NpyArray ofInt64(long[] shape, long[] data) {
        return new NpyArray(NpyDtype.INT64, shape, data);
    }

    public static NpyArray ofInt32(long[] shape, int[] data) {
        return new NpyArray(NpyDtype.INT32, shape, data);
    }

    public static NpyArray ofBool(long[] shape, boolean[] data) {
        return new NpyArray(NpyDtype.BOOL, shape, data);
    }

    /** A float32 array sharing the tensor's data. */
    public static NpyArray of(Tensor t) {
        return ofFloat32(t.shape(), t.data());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int size() {
        return java.lang.reflect.Array.getLength(data);
    }

    /** Element {@code i} (flat, C order) as a double; uint8 is unsigned, bool is 0 or 1. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i];
            case FLOAT64 -> ((double[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xFF;
            case INT64 -> ((long[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
        };
    }

    /** The values as float32 (float32 data is shared, other dtypes converted). */
    public float[] toFloats() {
        if (dtype == NpyDtype.FLOAT32) {
            return (float[]) data;
        }
        float[] f = new float[size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) getDouble(i);
        }
        return f;
    }

    /** A float32 tensor of the same shape; float64 and integer values are converted. */
    public Tensor toTensor() {
        return new Tensor(shape, toFloats());
    }

    /**
     * Integer class labels from a 1-d integer array (int64, int32, uint8 or bool); an error if
     * this array is not 1-d, not integral, or a value does not fit an int.
     */
    public int[] toIntLabels() {
        if (shape.length != 1) {
            throw new IllegalArgumentException("labels must be 1-d [n], got shape " + Arrays.toString(shape));
        }
        int[] out = new int[size()];
        switch (dtype) {
            case INT32 -> System.arraycopy(data, 0, out, 0, out.length);
            case INT64 -> {
                long[] l = (long[]) data;
                for (int i = 0; i < out.length; i++) {
                    if (l[i] != (int) l[i]) {
                        throw new IllegalArgumentException("label " + l[i] + " at index " + i + " does not fit an int");
                    }
                    out[i] = (int) l[i];
                }
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (int) getDouble(i);
                }
            }
            default -> throw new IllegalArgumentException("labels must be integers (" + NpyDtype.INT64.descr() + ", "
                    + NpyDtype.INT32.descr() + ", " + NpyDtype.UINT8.descr() + "), got " + dtype.descr());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && dtype == a.dtype && Arrays.equals(shape, a.shape) && Arrays.deepEquals(new Object[] {data},
                new Object[] {a.data});
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {dtype, shape, data});
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype.descr() + " " + Arrays.toString(shape) + "]";
    }
}
