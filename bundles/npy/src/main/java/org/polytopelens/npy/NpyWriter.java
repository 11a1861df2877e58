package org.polytopelens.npy;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Streams an array of known shape into an {@code .npy} file, values appended in C order (usually
 * row by row), so the whole array never needs to be in memory. Writing to a path goes to a
 * temporary file in the same directory, moved into place on {@link #close()} only when every value
 * was written; an incomplete array is an error and leaves nothing behind. Not thread-safe.
 */
public final class NpyWriter implements Closeable {
    private final Object target;
    private final NpyHeader header;
    private final OutputStream out;
    private final FileChannel channel; // null when writing to a caller's stream
    private final Path temp;
    private final Path path;
    private final long expected;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long written;
    private boolean closed;

    private NpyWriter(Object target, NpyHeader header, OutputStream out, FileChannel channel, Path temp, Path path) throws IOException {
        this.target = target;
        this.header = header;
        this.out = out;
        this.channel = channel;
        this.temp = temp;
        this.path = path;
        this.expected = header.count();
        out.write(header.encode());
    }

    /** Writes {@code path} atomically: visible only after a successful {@link #close()}. */
    public static NpyWriter create(Path path, NpyDtype dtype, long[] shape) throws IOException {
        NpyHeader h = NpyHeader.of(dtype, shape);
        Path abs = path.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path temp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return new NpyWriter(path, h, new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16), ch, temp, abs);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * Writes into {@code out} (e.g. a result sink's atomic stream); {@link #close()} checks the
     * count and flushes but leaves {@code out} open.
     */
    public static NpyWriter to(OutputStream out, NpyDtype dtype, long[] shape) throws IOException {
        return new NpyWriter("stream", NpyHeader.of(dtype, shape), out, null, null, null);
    }

    public NpyHeader header() {
        return header;
    }

    /** Values written so far. */
    public long written() {
        return written;
    }

    public NpyWriter append(float[] v) throws IOException {
        return append(v, 0, v.length);
    }

    public NpyWriter append(float[] v, int off, int len) throws IOException {
        check(NpyDtype.FLOAT32, len);
        while (len > 0) { // bulk copies through the little-endian buffer, not a put per value
            int k = Math.min(len, room(4).remaining() / 4);
            buf.asFloatBuffer().put(v, off, k);
            buf.position(buf.position() + 4 * k);
            off += k;
            len -= k;
        }
        return this;
    }

    public NpyWriter append(double[] v) throws IOException {
        check(NpyDtype.FLOAT64, v.length);
        for (double x : v) {
            room(8).putDouble(x);
        }
        return this;
    }

    /** uint8 values (Java bytes, read as unsigned). */
    public NpyWriter append(byte[] v) throws IOException {
        return append(v, 0, v.length);
    }

    public NpyWriter append(byte[] v, int off, int len) throws IOException {
        check(NpyDtype.UINT8, len);
        flushBuffer();
        out.write(v, off, len);
        return this;
    }

    public NpyWriter append(long[] v) throws IOException {
        check(NpyDtype.INT64, v.length);
        for (long x : v) {
            room(8).putLong(x);
        }
        return this;
    }

    public NpyWriter append(int[] v) throws IOException {
        check(NpyDtype.INT32, v.length);
        for (int x : v) {
            room(4).putInt(x);
        }
        return this;
    }

    public NpyWriter append(boolean[] v) throws IOException {
        check(NpyDtype.BOOL, v.length);
        for (boolean x : v) {
            room(1).put((byte) (x ? 1 : 0));
        }
        return this;
    }

    /** Appends all values of {@code a} (its dtype must be this file's). */
    public NpyWriter append(NpyArray a) throws IOException {
        return switch (a.dtype()) {
            case FLOAT32 -> append((float[]) a.data());
            case FLOAT64 -> append((double[]) a.data());
            case UINT8 -> append((byte[]) a.data());
            case INT64 -> append((long[]) a.data());
            case INT32 -> append((int[]) a.data());
            case BOOL -> append((boolean[]) a.data());
        };
    }

    private void check(NpyDtype dtype, int len) {
        if (closed) {
            throw new IllegalStateException(target + ": writer is closed");
        }
        if (dtype != header.dtype()) {
            throw new IllegalArgumentException(target + ": cannot append " + dtype.descr() + " values to a " + header.dtype().descr() + " array");
        }
        if (written + len > expected) {
            throw new IllegalStateException(target + ": " + (written + len) + " values exceed shape " + Arrays.toString(header.shape())
                    + " (" + expected + " values)");
        }
        written += len;
    }

    private ByteBuffer room(int bytes) throws IOException {
        if (buf.remaining() < bytes) {
            flushBuffer();
        }
        return buf;
    }

    private void flushBuffer() throws IOException {
        if (buf.position() > 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
    }

    /** Discards a path writer's temporary file (nothing appears at the path). Idempotent. */
    public void abort() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            try {
                out.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Completes the file: every value must have been written. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (written != expected) {
            abort();
            throw new IOException(target + ": incomplete array: " + written + " of " + expected + " values of shape "
                    + Arrays.toString(header.shape()) + " written; nothing was saved");
        }
        flushBuffer();
        out.flush();
        closed = true;
        if (channel == null) {
            return;
        }
        try {
            channel.force(true);
            out.close();
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
