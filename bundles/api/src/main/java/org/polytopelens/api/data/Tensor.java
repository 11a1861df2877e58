package org.polytopelens.api.data;

import java.util.Arrays;

/**
 * A dense float32 tensor in C (row-major) order. For batches the first axis is the batch axis;
 * a "row" is one point (all other axes flattened).
 */
public record Tensor(long[] shape, float[] data) {
    public Tensor {
        long n = size(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "tensor of shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }

    public static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A batch of {@code rows} points of {@code pointShape}. */
    public static Tensor batch(int rows, long[] pointShape, float[] data) {
        long[] s = new long[pointShape.length + 1];
        s[0] = rows;
        System.arraycopy(pointShape, 0, s, 1, pointShape.length);
        return new Tensor(s, data);
    }

    public int rank() {
        return shape.length;
    }

    /** Size of the first (batch) axis. */
    public int rows() {
        return shape.length == 0 ? 1 : Math.toIntExact(shape[0]);
    }

    /** Values per row: the product of all axes but the first. */
    public int rowSize() {
        return rows() == 0 ? (int) size(pointShape()) : data.length / rows();
    }

    /** The shape of one point: every axis but the first. */
    public long[] pointShape() {
        return shape.length == 0 ? new long[0] : Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** A copy of row {@code i}. */
    public float[] row(int i) {
        int w = rowSize();
        return Arrays.copyOfRange(data, i * w, (i + 1) * w);
    }

    /** Rows {@code [from, to)} as a new tensor. */
    public Tensor rows(int from, int to) {
        int w = rowSize();
        long[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(s, Arrays.copyOfRange(data, from * w, to * w));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
