package org.polytopelens.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads row ranges of an {@code .npy} file without loading it (a row is one index of the first
 * axis). Uses positional reads, so several threads may read ranges concurrently. Close it to
 * release the file.
 */
public final class NpyReader implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final NpyHeader header;

    private NpyReader(Path path, FileChannel channel, NpyHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
    }

    /** Opens {@code path} and checks its header and length (a truncated file is an error). */
    public static NpyReader open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            NpyHeader h = NpyHeader.read(ch, path);
            long need = h.dataOffset() + h.dataBytes();
            if (ch.size() < need) {
                throw new IOException(path + ": file is truncated: " + h.dtype().descr() + " " + Arrays.toString(h.shape())
                        + " needs " + need + " bytes, the file has " + ch.size());
            }
            return new NpyReader(path, ch, h);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public NpyHeader header() {
        return header;
    }

    public NpyDtype dtype() {
        return header.dtype();
    }

    public long[] shape() {
        return header.shape();
    }

    /** Length of the first axis. */
    public long rows() {
        return header.rows();
    }

    /** Elements per row. */
    public long rowSize() {
        return header.rowSize();
    }

    /** The whole array. */
    public NpyArray readAll() throws IOException {
        if (header.shape().length == 0) {
            return new NpyArray(header.dtype(), new long[0], decode(read(0, 1), 1));
        }
        return readRows(0, rows());
    }

    /** Rows {@code [from, to)} with their dtype; the result's first axis is {@code to - from}. */
    public NpyArray readRows(long from, long to) throws IOException {
        int n = elements(from, to);
        long[] s = header.shape();
        if (s.length == 0) {
            throw new IllegalArgumentException(path + ": a 0-d array has no rows; use readAll()");
        }
        s[0] = to - from;
        return new NpyArray(header.dtype(), s, decode(read(from * rowSize(), n), n));
    }

    /** Rows {@code [from, to)} converted to float32, flattened in C order. */
    public float[] readFloats(long from, long to) throws IOException {
        int n = elements(from, to);
        Object values = decode(read(from * rowSize(), n), n);
        if (values instanceof float[] f) {
            return f;
        }
        long[] s = header.shape();
        s[0] = to - from;
        return new NpyArray(header.dtype(), s, values).toFloats();
    }

    /** Reads up to this size go through a per-thread direct buffer. */
    private static final int SCRATCH_BYTES = 16 << 20;
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    private int elements(long from, long to) {
        if (from < 0 || to < from || to > rows()) {
            throw new IndexOutOfBoundsException(path + ": rows [" + from + ", " + to + ") outside [0, " + rows() + ")");
        }
        long n = Math.multiplyExact(to - from, rowSize());
        if (n * header.dtype().itemSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(path + ": rows [" + from + ", " + to + ") are too many to read at once; read smaller ranges");
        }
        return (int) n;
    }

    /**
     * n elements from firstElement, little-endian, valid until this thread's next read (every
     * caller copies them out at once). Up to {@link #SCRATCH_BYTES} they land in this thread's
     * direct buffer: a heap buffer makes the channel read into a temporary direct one and copy.
     */
    private ByteBuffer read(long firstElement, int n) throws IOException {
        int size = header.dtype().itemSize();
        int bytes = n * size;
        ByteBuffer b = bytes > SCRATCH_BYTES ? ByteBuffer.allocate(bytes) : SCRATCH.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 16));
            SCRATCH.set(b);
        }
        b.clear().limit(bytes);
        b.order(ByteOrder.LITTLE_ENDIAN);
        NpyHeader.readFully(channel, b, header.dataOffset() + firstElement * size, path, "the data");
        b.flip();
        return b;
    }

    private Object decode(ByteBuffer b, int n) {
        return switch (header.dtype()) {
            case FLOAT32 -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                yield a;
            }
            case INT64 -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                yield a;
            }
            case INT32 -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                yield a;
            }
            case UINT8 -> {
                byte[] a = new byte[n];
                b.get(a);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = b.get() != 0;
                }
                yield a;
            }
        };
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
