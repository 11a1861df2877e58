package org.polytopelens.dataset.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyArray;

class NpyDatasetProviderTest {
    @TempDir
    Path dir;
    final NpyDatasetProvider provider = new NpyDatasetProvider();

    Path data(int n) throws Exception {
        float[] d = new float[n * 2 * 3];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        Path p = dir.resolve("x.npy");
        Npy.write(p, NpyArray.ofFloat32(new long[] {n, 2, 3}, d));
        return p;
    }

    @Test
    void readsBatchesLazilyWithLabels() throws Exception {
        Path x = data(5);
        Path y = dir.resolve("y.npy");
        Npy.write(y, NpyArray.ofInt64(new long[] {5}, new long[] {3, 1, 4, 1, 5}));
        // as the core hands them over: validated, under Metatype attribute ids, defaults filled
        try (Dataset d = provider.open(Parameters.of(Map.of("path", x.toString(), "labels", y.toString(), "input", "", "limit", 0)))) {
            assertEquals(5, d.size());
            Tensor b = d.batch(1, 3);
            assertArrayEquals(new long[] {2, 2, 3}, b.shape());
            assertEquals(6f, b.data()[0]);
            assertEquals(17f, b.data()[11]);
            assertArrayEquals(new int[] {3, 1, 4, 1, 5}, d.labels().orElseThrow());
            assertEquals("#2 (label 4)", d.describe(2));
            assertEquals(Optional.empty(), d.input());
            assertThrows(IndexOutOfBoundsException.class, () -> d.batch(4, 6));
        }
    }

    @Test
    void nonFiniteInputsAreRefusedNamingTheExample() throws Exception {
        float[] d = new float[4 * 3];
        d[2 * 3 + 1] = Float.NaN;
        Path x = dir.resolve("nan.npy");
        Npy.write(x, NpyArray.ofFloat32(new long[] {4, 3}, d));
        try (Dataset ds = provider.open(Parameters.of(Map.of("path", x.toString(), "labels", "", "input", "", "limit", 0)))) {
            assertEquals(2, ds.batch(0, 2).rows());
            var e = assertThrows(IllegalArgumentException.class, () -> ds.batch(1, 4));
            assertTrue(e.getMessage().contains("example 2 holds NaN at position 1"), e.getMessage());
        }
    }

    @Test
    void float64IsConvertedAndLimitAndInputApply() throws Exception {
        Path x = dir.resolve("d.npy");
        Npy.write(x, NpyArray.ofFloat64(new long[] {4, 2}, new double[] {0.5, 1, 2, 3, 4, 5, 6, 7}));
        Path y = dir.resolve("y.npy");
        Npy.write(y, NpyArray.ofUint8(new long[] {4}, new byte[] {9, 8, 7, 6}));
        try (Dataset d = provider.open(Parameters.of(Map.of("path", x.toString(), "labels", y.toString(), "input", "pixels", "limit", 3)))) {
            assertEquals(3, d.size());
            assertArrayEquals(new float[] {0.5f, 1, 2, 3, 4, 5}, d.batch(0, 3).data());
            assertArrayEquals(new int[] {9, 8, 7}, d.labels().orElseThrow());
            assertEquals(Optional.of("pixels"), d.input());
            assertThrows(IndexOutOfBoundsException.class, () -> d.batch(0, 4));
        }
        try (Dataset d = provider.open(Parameters.of(Map.of("path", x.toString())))) {
            assertEquals(4, d.size(), "defaults from the config annotation");
            assertTrue(d.labels().isEmpty());
        }
    }

    @Test
    void errorsNameTheFiles() throws Exception {
        Path x = data(5);
        Path y = dir.resolve("short.npy");
        Npy.write(y, NpyArray.ofInt64(new long[] {4}, new long[4]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.open(Parameters.of(Map.of("path", x.toString(), "labels", y.toString()))));
        assertTrue(e.getMessage().contains("short.npy has 4 labels but") && e.getMessage().contains("x.npy has 5 examples"), e.getMessage());

        Path ints = dir.resolve("ints.npy");
        Npy.write(ints, NpyArray.ofInt32(new long[] {2}, new int[2]));
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(Parameters.of(Map.of("path", ints.toString()))));
        assertTrue(e.getMessage().contains("ints.npy") && e.getMessage().contains("float32 (<f4) or float64 (<f8)"), e.getMessage());

        Path floatLabels = dir.resolve("fl.npy");
        Npy.write(floatLabels, NpyArray.ofFloat32(new long[] {5}, new float[5]));
        e = assertThrows(IllegalArgumentException.class,
                () -> provider.open(Parameters.of(Map.of("path", x.toString(), "labels", floatLabels.toString()))));
        assertTrue(e.getMessage().contains("fl.npy") && e.getMessage().contains("<i8"), e.getMessage());
    }
}
