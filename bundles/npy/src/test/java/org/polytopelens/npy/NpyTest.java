package org.polytopelens.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.data.Tensor;

class NpyTest {
    @TempDir
    Path dir;

    /** The header numpy 2.x writes: dict, 21 - len(str(shape[0])) growth spaces, pad to 64, newline. */
    private static byte[] numpyHeader(String dict, int growth) {
        String h = dict + " ".repeat(growth);
        int hlen = h.length() + 1;
        int pad = 64 - ((10 + hlen) % 64);
        byte[] pre = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) ((hlen + pad) & 0xFF), (byte) ((hlen + pad) >> 8)};
        byte[] body = (h + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(pre, pre.length + body.length);
        System.arraycopy(body, 0, out, pre.length, body.length);
        return out;
    }

    @Test
    void headerIsByteExactWithNumpy() {
        assertArrayEquals(numpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 20),
                NpyHeader.of(NpyDtype.FLOAT32, new long[] {3, 4}).encode());
        assertArrayEquals(numpyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", 20),
                NpyHeader.of(NpyDtype.UINT8, new long[] {5}).encode());
        assertArrayEquals(numpyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 0),
                NpyHeader.of(NpyDtype.FLOAT64, new long[0]).encode());
        assertArrayEquals(numpyHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1000, 3, 4), }", 17),
                NpyHeader.of(NpyDtype.INT64, new long[] {1000, 3, 4}).encode());
        byte[] h = NpyHeader.of(NpyDtype.BOOL, new long[] {2}).encode();
        assertEquals(128, h.length, "numpy pads this header to 128 bytes");
        assertTrue(new String(h, StandardCharsets.ISO_8859_1).contains("'descr': '|b1'"));
    }

    @Test
    void hugeHeaderUsesVersion2() throws IOException {
        long[] shape = new long[25000];
        Arrays.fill(shape, 1);
        byte[] h = NpyHeader.of(NpyDtype.FLOAT32, shape).encode();
        assertEquals(2, h[6]);
        assertEquals(0, h.length % 64);
        Path p = dir.resolve("v2.npy");
        Npy.write(p, NpyArray.ofFloat32(shape, new float[] {7f}));
        assertArrayEquals(new float[] {7f}, (float[]) Npy.read(p).data());
        assertEquals(25000, Npy.header(p).shape().length);
    }

    @Test
    void roundTripEveryDtype() throws IOException {
        List<NpyArray> arrays = List.of(
                NpyArray.ofFloat32(new long[] {2, 3}, new float[] {1.5f, -2f, 0f, Float.NaN, -0f, Float.MAX_VALUE}),
                NpyArray.ofFloat64(new long[] {3}, new double[] {Math.PI, -1e300, Double.MIN_VALUE}),
                NpyArray.ofUint8(new long[] {2, 2}, new byte[] {0, 1, (byte) 200, (byte) 255}),
                NpyArray.ofInt64(new long[] {2, 1, 2}, new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}),
                NpyArray.ofInt32(new long[] {4}, new int[] {Integer.MIN_VALUE, -1, 0, 42}),
                NpyArray.ofBool(new long[] {3}, new boolean[] {true, false, true}),
                NpyArray.ofFloat32(new long[] {0, 5}, new float[0]),
                NpyArray.ofFloat64(new long[0], new double[] {2.5}));
        int i = 0;
        for (NpyArray a : arrays) {
            Path p = dir.resolve("a" + i++ + ".npy");
            Npy.write(p, a);
            NpyArray back = Npy.read(p);
            assertEquals(a, back, a.toString());
            assertEquals(0, (Files.size(p) - (long) a.size() * a.dtype().itemSize()) % 64, "data starts 64-aligned");
        }
    }

    @Test
    void readsFilesWrittenByNumpy() throws IOException {
        NpyArray f = Npy.read(resource("numpy-f4-2x3.npy"));
        assertEquals(NpyDtype.FLOAT32, f.dtype());
        assertArrayEquals(new long[] {2, 3}, f.shape());
        assertArrayEquals(new float[] {1.5f, -2f, 0f, 3.25f, 4f, -0f}, (float[]) f.data());
        assertArrayEquals(new int[] {0, 1, -7}, Arrays.copyOf(
                NpyArray.ofInt64(new long[] {3}, Arrays.copyOf((long[]) Npy.read(resource("numpy-i8-4.npy")).data(), 3)).toIntLabels(), 3));
        assertEquals(1L << 40, ((long[]) Npy.read(resource("numpy-i8-4.npy")).data())[3]);
        // Files numpy wrote are byte-identical to ours for the same array.
        Path ours = dir.resolve("ours.npy");
        Npy.write(ours, f);
        assertArrayEquals(Files.readAllBytes(resource("numpy-f4-2x3.npy")), Files.readAllBytes(ours));
        // np.packbits([[1,0,1,1,0,0,0,0,1,1],[0]*9+[1]], axis=1)
        NpyArray packed = Npy.read(resource("numpy-packbits.npy"));
        assertArrayEquals(new byte[] {(byte) 0xB0, (byte) 0xC0, 0, 0x40}, (byte[]) packed.data());
    }

    @Test
    void fortranOrderIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> Npy.read(resource("numpy-fortran-2x3.npy")));
        assertTrue(e.getMessage().contains("numpy-fortran-2x3.npy") && e.getMessage().contains("Fortran"), e.getMessage());
    }

    @Test
    void badInputNamesTheFileAndTheValidChoices() throws IOException {
        Path bad = dir.resolve("bad.npy");
        Files.write(bad, "not numpy at all".getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> Npy.read(bad));
        assertTrue(e.getMessage().contains("bad.npy") && e.getMessage().contains("magic"), e.getMessage());

        Path truncated = dir.resolve("trunc.npy");
        byte[] full = Files.readAllBytes(resource("numpy-f4-2x3.npy"));
        Files.write(truncated, Arrays.copyOf(full, full.length - 3));
        e = assertThrows(IOException.class, () -> Npy.read(truncated));
        assertTrue(e.getMessage().contains("trunc.npy") && e.getMessage().contains("truncated"), e.getMessage());

        Path shortHeader = dir.resolve("short.npy");
        Files.write(shortHeader, Arrays.copyOf(full, 40));
        e = assertThrows(IOException.class, () -> Npy.read(shortHeader));
        assertTrue(e.getMessage().contains("short.npy") && e.getMessage().contains("truncated"), e.getMessage());

        Path complex = dir.resolve("complex.npy");
        Files.write(complex, numpyHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 20));
        e = assertThrows(IOException.class, () -> Npy.read(complex));
        assertTrue(e.getMessage().contains("complex.npy") && e.getMessage().contains("<c16") && e.getMessage().contains("<f4")
                && e.getMessage().contains("|u1"), e.getMessage());

        Path bigEndian = dir.resolve("be.npy");
        Files.write(bigEndian, numpyHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 20));
        assertThrows(IOException.class, () -> Npy.read(bigEndian));
    }

    @Test
    void readerReadsRowRanges() throws IOException {
        Path p = dir.resolve("rows.npy");
        float[] data = new float[10 * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        Npy.write(p, NpyArray.ofFloat32(new long[] {10, 3}, data));
        try (NpyReader r = NpyReader.open(p)) {
            assertEquals(10, r.rows());
            assertEquals(3, r.rowSize());
            NpyArray mid = r.readRows(4, 6);
            assertArrayEquals(new long[] {2, 3}, mid.shape());
            assertArrayEquals(new float[] {12, 13, 14, 15, 16, 17}, (float[]) mid.data());
            assertArrayEquals(new float[] {27, 28, 29}, r.readFloats(9, 10));
            // Reads reuse this thread's buffer: a large read, then smaller ones, then empty.
            assertArrayEquals(data, r.readFloats(0, 10));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 6, 15), r.readFloats(2, 5));
            assertArrayEquals(new float[] {3, 4, 5}, r.readFloats(1, 2));
            assertEquals(0, r.readFloats(4, 4).length);
            assertEquals(0, r.readRows(10, 10).size());
            assertThrows(IndexOutOfBoundsException.class, () -> r.readRows(9, 11));
        }
        Path d = dir.resolve("f8.npy");
        Npy.write(d, NpyArray.ofFloat64(new long[] {2, 2}, new double[] {0.5, 1, 2, 3}));
        try (NpyReader r = NpyReader.open(d)) {
            assertArrayEquals(new float[] {2, 3}, r.readFloats(1, 2));
        }
    }

    @Test
    void streamingWriterAppendsRowsAndIsAtomic() throws IOException {
        Path p = dir.resolve("out/stream.npy");
        try (NpyWriter w = NpyWriter.create(p, NpyDtype.UINT8, new long[] {3, 2})) {
            w.append(new byte[] {1, 2});
            w.append(new byte[] {3, 4});
            assertFalse(Files.exists(p), "nothing at the path until complete");
            w.append(new byte[] {5, 6});
        }
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, (byte[]) Npy.read(p).data());
        try (var files = Files.list(p.getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }

        Path q = dir.resolve("incomplete.npy");
        NpyWriter w = NpyWriter.create(q, NpyDtype.FLOAT32, new long[] {2, 2});
        w.append(new float[] {1, 2});
        IOException e = assertThrows(IOException.class, w::close);
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
        assertFalse(Files.exists(q));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")));
        }

        try (NpyWriter x = NpyWriter.create(dir.resolve("x.npy"), NpyDtype.FLOAT32, new long[] {1})) {
            assertThrows(IllegalArgumentException.class, () -> x.append(new long[] {1}));
            assertThrows(IllegalStateException.class, () -> x.append(new float[] {1, 2}));
            x.append(new float[] {1});
        }
    }

    @Test
    void writerToStreamMatchesFileWriter() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (NpyWriter w = NpyWriter.to(bytes, NpyDtype.FLOAT32, new long[] {2, 3})) {
            w.append(new float[] {1.5f, -2f, 0f});
            w.append(new float[] {3.25f, 4f, -0f});
        }
        assertArrayEquals(Files.readAllBytes(resource("numpy-f4-2x3.npy")), bytes.toByteArray());
    }

    /** Floats appended in odd-sized pieces across the writer's 64 KB buffer, with a byte-exact header and an offset append. */
    @Test
    void manyFloatsInPiecesReadBackExactly() throws IOException {
        int n = 50_001;
        float[] v = new float[n + 3];
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Path p = dir.resolve("many.npy");
        try (NpyWriter w = NpyWriter.create(p, NpyDtype.FLOAT32, new long[] {n})) {
            int at = 3;
            for (int piece = 1; at < n + 3; piece = piece * 3 + 1) {
                int k = Math.min(piece, n + 3 - at);
                w.append(v, at, k);
                at += k;
            }
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 3, n + 3), (float[]) Npy.read(p).data());
    }

    @Test
    void conversions() {
        NpyArray a = NpyArray.ofFloat64(new long[] {2, 2}, new double[] {1, 2, 3, 4});
        Tensor t = a.toTensor();
        assertArrayEquals(new long[] {2, 2}, t.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.data());
        assertEquals(NpyArray.of(t), NpyArray.ofFloat32(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        assertArrayEquals(new int[] {0, 255}, NpyArray.ofUint8(new long[] {2}, new byte[] {0, (byte) 255}).toIntLabels());
        assertArrayEquals(new int[] {3, -1}, NpyArray.ofInt32(new long[] {2}, new int[] {3, -1}).toIntLabels());
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofInt64(new long[] {1}, new long[] {1L << 40}).toIntLabels());
        assertThrows(IllegalArgumentException.class, () -> a.toIntLabels());
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofFloat32(new long[] {3}, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(NpyDtype.INT64, new long[] {1}, new int[1]));
    }

    private Path resource(String name) throws IOException {
        Path p = dir.resolve("res-" + name);
        try (InputStream in = NpyTest.class.getResourceAsStream("/" + name)) {
            Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }
}
