package org.polytopelens.api.data;

import java.util.Arrays;

/**
 * A named tensor of a model graph: element type as ONNX spells it ({@code "float"},
 * {@code "int64"}, ...) and shape, where {@code -1} marks a dynamic axis.
 */
public record TensorInfo(String name, String dtype, long[] shape) {
    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + dtype + Arrays.toString(shape);
    }
}
