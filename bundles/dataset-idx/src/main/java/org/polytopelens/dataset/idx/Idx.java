package org.polytopelens.dataset.idx;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte IDX array (LeCun's format: magic {@code 0x00 0x00 0x08 rank}, big-endian int
 * dimensions, then the bytes), read whole from a plain or gzip file.
 */
record Idx(int[] dims, byte[] bytes) {
    private static final int UBYTE = 0x08;

    static Idx read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such IDX file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            DataInputStream in = new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw) : raw, 1 << 16));
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UBYTE || (magic & 0xff) < 1 || (magic & 0xff) > 4) {
                throw new IllegalArgumentException(path + ": not an unsigned-byte IDX file (magic 0x0000080N with rank N in 1..4), got 0x"
                        + String.format("%08x", magic));
            }
            int[] dims = new int[magic & 0xff];
            long size = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IllegalArgumentException(path + ": negative IDX dimension " + dims[i]);
                }
                size *= dims[i];
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(path + ": IDX array of " + size + " bytes is too large to hold in memory");
            }
            byte[] bytes = new byte[(int) size];
            try {
                in.readFully(bytes);
            } catch (EOFException e) {
                throw new IllegalArgumentException(path + ": truncated IDX file, its header promises " + size + " bytes of data", e);
            }
            return new Idx(dims, bytes);
        }
    }
}
