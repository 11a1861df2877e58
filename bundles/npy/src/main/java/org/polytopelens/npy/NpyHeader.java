package org.polytopelens.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code .npy} header: dtype and shape (C order only). {@link #encode()} writes exactly the
 * bytes numpy's {@code np.save} writes, including the spare space numpy (&gt;= 1.24) reserves for
 * growing the first axis and the padding to a 64-byte boundary.
 *
 * @param dataOffset where the data starts in the file
 */
public record NpyHeader(NpyDtype dtype, long[] shape, long dataOffset) {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public NpyHeader {
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    /** A header for writing; {@link #dataOffset} is the encoded length. */
    public static NpyHeader of(NpyDtype dtype, long[] shape) {
        NpyHeader h = new NpyHeader(dtype, shape, 0);
        return new NpyHeader(dtype, shape, h.encode().length);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long count() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Length of the first axis (1 for a 0-d array). */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row: the product of every axis but the first. */
    public long rowSize() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    /** Bytes of data the file must hold after the header. */
    public long dataBytes() {
        return Math.multiplyExact(count(), (long) dtype.itemSize());
    }

    /** The header as numpy writes it: version 1.0 unless the header needs 2.0's 4-byte length. */
    public byte[] encode() {
        StringBuilder s = new StringBuilder("{'descr': '").append(dtype.descr()).append("', 'fortran_order': False, 'shape': ")
                .append(pythonTuple(shape)).append(", }");
        if (shape.length > 0) {
            s.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        byte[] dict = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = dict.length + 1; // + the final newline
        int padlen = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
        int major = 1;
        int lenBytes = 2;
        if (hlen + padlen > 0xFFFF) {
            major = 2;
            lenBytes = 4;
            padlen = ALIGN - ((MAGIC.length + 2 + 4 + hlen) % ALIGN);
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + lenBytes + hlen + padlen).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (lenBytes == 2) {
            b.putShort((short) (hlen + padlen));
        } else {
            b.putInt(hlen + padlen);
        }
        b.put(dict);
        for (int i = 0; i < padlen; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static String pythonTuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(')').toString();
    }

    /** Reads and checks the header at the start of {@code ch}; {@code source} names the file in errors. */
    public static NpyHeader read(FileChannel ch, Object source) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, pre, 0, source, "the header");
        pre.flip();
        byte[] magic = new byte[6];
        pre.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(source + ": not a NumPy .npy file (bad magic; expected \\x93NUMPY)");
        }
        int major = pre.get() & 0xFF;
        pre.get(); // minor version: no difference for reading
        long hlen;
        long start;
        if (major == 1) {
            hlen = pre.getShort() & 0xFFFF;
            start = 10;
        } else if (major == 2 || major == 3) {
            hlen = pre.getInt() & 0xFFFFFFFFL;
            start = 12;
        } else {
            throw new IOException(source + ": unsupported .npy format version " + major + "; valid versions: 1.0, 2.0, 3.0");
        }
        if (hlen > 1 << 24) {
            throw new IOException(source + ": implausible .npy header length " + hlen);
        }
        ByteBuffer hb = ByteBuffer.allocate((int) hlen);
        readFully(ch, hb, start, source, "the header");
        String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(source + ": malformed .npy header (needs 'descr', 'fortran_order' and 'shape'): " + header.trim());
        }
        NpyDtype dtype;
        try {
            dtype = NpyDtype.fromDescr(d.group(1), source);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        long[] shape = parseShape(s.group(1), source);
        if (f.group(1).equals("True") && shape.length > 1) {
            throw new IOException(source + ": Fortran-order arrays are not supported; save it in C order"
                    + " (numpy.ascontiguousarray) and try again");
        }
        return new NpyHeader(dtype, shape, start + hlen);
    }

    private static long[] parseShape(String tuple, Object source) throws IOException {
        String[] parts = tuple.split(",");
        long[] shape = new long[parts.length];
        int n = 0;
        for (String p : parts) {
            String v = p.trim();
            if (v.isEmpty()) {
                continue;
            }
            try {
                shape[n] = Long.parseLong(v.endsWith("L") ? v.substring(0, v.length() - 1) : v);
            } catch (NumberFormatException e) {
                shape[n] = -1;
            }
            if (shape[n] < 0) {
                throw new IOException(source + ": malformed shape (" + tuple + ") in .npy header");
            }
            n++;
        }
        return Arrays.copyOf(shape, n);
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long position, Object source, String what) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(source + ": file is truncated: ended while reading " + what + " at byte " + pos);
            }
            pos += n;
        }
    }
}
