package org.polytopelens.api.data;

import java.util.Arrays;
import java.util.List;

/**
 * Hard spline codes of {@code count} points, {@code bits} bits each, packed 64 to a long: bit
 * {@code i} of point {@code r} is bit {@code i % 64} (least significant first) of word {@code r *
 * wordsPerRow() + i / 64}. Unused high bits of a row's last word are zero, so Hamming distance is
 * a popcount over whole words.
 */
public record SplineCodes(int count, int bits, long[] words) {
    public SplineCodes {
        if (count < 0 || bits < 0) {
            throw new IllegalArgumentException("negative count or bits: " + count + ", " + bits);
        }
        if (words.length != (long) count * wordsPerRow(bits)) {
            throw new IllegalArgumentException(
                    count + " codes of " + bits + " bits need " + (long) count * wordsPerRow(bits) + " words, got " + words.length);
        }
    }

    public static int wordsPerRow(int bits) {
        return (bits + 63) >>> 6;
    }

    public int wordsPerRow() {
        return wordsPerRow(bits);
    }

    public boolean get(int row, int bit) {
        return (words[row * wordsPerRow() + (bit >>> 6)] >>> (bit & 63) & 1L) != 0;
    }

    /** Hamming distance between two rows of this set. */
    public int hamming(int a, int b) {
        return hamming(this, a, this, b);
    }

    /** Hamming distance between row {@code a} of {@code x} and row {@code b} of {@code y}. */
    public static int hamming(SplineCodes x, int a, SplineCodes y, int b) {
        if (x.bits != y.bits) {
            throw new IllegalArgumentException("codes of " + x.bits + " and " + y.bits + " bits are not comparable");
        }
        int w = x.wordsPerRow();
        int oa = a * w, ob = b * w, d = 0;
        for (int k = 0; k < w; k++) {
            d += Long.bitCount(x.words[oa + k] ^ y.words[ob + k]);
        }
        return d;
    }

    /** Rows {@code [from, to)}. */
    public SplineCodes rows(int from, int to) {
        int w = wordsPerRow();
        return new SplineCodes(to - from, bits, Arrays.copyOfRange(words, from * w, to * w));
    }

    /** Codes of the same points side by side (site after site): the bits of each part in order. */
    public static SplineCodes concatBits(List<SplineCodes> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int n = parts.get(0).count;
        int bits = 0;
        for (SplineCodes p : parts) {
            if (p.count != n) {
                throw new IllegalArgumentException("parts code different numbers of points: " + n + " vs " + p.count);
            }
            bits += p.bits;
        }
        // Word-level copy: each part's row is shifted into place 64 bits at a time.
        int wpr = wordsPerRow(bits);
        long[] out = new long[Math.multiplyExact(n, wpr)];
        int offset = 0;
        for (SplineCodes p : parts) {
            int pw = p.wordsPerRow();
            int shift = offset & 63;
            for (int r = 0; r < n; r++) {
                int dst = r * wpr + (offset >>> 6);
                int src = r * pw;
                for (int k = 0; k < pw; k++) {
                    long w = p.words[src + k];
                    out[dst + k] |= w << shift;
                    if (shift != 0 && dst + k + 1 < (r + 1) * wpr) {
                        out[dst + k + 1] |= w >>> (64 - shift);
                    }
                }
            }
            offset += p.bits;
        }
        return new SplineCodes(n, bits, out);
    }

    /** Codes of more points: the rows of each part in order (merging shards). */
    public static SplineCodes concatRows(List<SplineCodes> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int bits = parts.get(0).bits;
        int n = 0;
        for (SplineCodes p : parts) {
            if (p.bits != bits) {
                throw new IllegalArgumentException("parts have different code lengths: " + bits + " vs " + p.bits);
            }
            n += p.count;
        }
        long[] w = new long[n * wordsPerRow(bits)];
        int at = 0;
        for (SplineCodes p : parts) {
            System.arraycopy(p.words, 0, w, at, p.words.length);
            at += p.words.length;
        }
        return new SplineCodes(n, bits, w);
    }

    /**
     * Row {@code r} as numpy's {@code packbits(codes, axis=1)} writes it: bit {@code i} is bit
     * {@code 7 - i % 8} of byte {@code i / 8}.
     */
    public byte[] packbitsRow(int r) {
        byte[] out = new byte[(bits + 7) >>> 3];
        packbitsRow(r, out, 0);
        return out;
    }

    /**
     * Every row as numpy's {@code packbits(codes, axis=1)} writes it, row after row: {@code count
     * * ceil(bits / 8)} bytes.
     */
    public byte[] packbits() {
        int stride = (bits + 7) >>> 3;
        byte[] out = new byte[Math.multiplyExact(count, stride)];
        for (int r = 0; r < count; r++) {
            packbitsRow(r, out, r * stride);
        }
        return out;
    }

    /** Row r's packbits bytes at {@code out[at..]}: a word's bytes in order, each byte's bits reversed. */
    private void packbitsRow(int r, byte[] out, int at) {
        int w = wordsPerRow(), bytes = (bits + 7) >>> 3;
        for (int k = 0; k < w; k++) {
            // reverse() turns bit 8m + t into bit 8(7 - m) + 7 - t; reverseBytes puts byte 7 - m back at m.
            long v = Long.reverseBytes(Long.reverse(words[r * w + k]));
            int n = Math.min(8, bytes - 8 * k);
            for (int m = 0; m < n; m++) {
                out[at + 8 * k + m] = (byte) (v >>> (8 * m));
            }
        }
    }

    /** How many bits of columns {@code [from, to)} are set, over all rows (popcounts of masked words). */
    public long ones(int from, int to) {
        if (from < 0 || to > bits || from > to) {
            throw new IndexOutOfBoundsException("columns [" + from + ", " + to + ") of " + bits + "-bit codes");
        }
        if (from == to) {
            return 0;
        }
        int w = wordsPerRow(), first = from >>> 6, last = (to - 1) >>> 6;
        long firstMask = -1L << (from & 63), lastMask = -1L >>> (63 - ((to - 1) & 63));
        long n = 0;
        for (int r = 0; r < count; r++) {
            int o = r * w;
            if (first == last) {
                n += Long.bitCount(words[o + first] & firstMask & lastMask);
                continue;
            }
            n += Long.bitCount(words[o + first] & firstMask);
            for (int k = first + 1; k < last; k++) {
                n += Long.bitCount(words[o + k]);
            }
            n += Long.bitCount(words[o + last] & lastMask);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SplineCodes c && count == c.count && bits == c.bits && Arrays.equals(words, c.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words) * 31 + bits;
    }

    @Override
    public String toString() {
        return "SplineCodes[" + count + " x " + bits + " bits]";
    }

    /** Fills codes bit by bit; not thread-safe. */
    public static final class Builder {
        private final int count, bits, wpr;
        private final long[] words;

        public Builder(int count, int bits) {
            this.count = count;
            this.bits = bits;
            this.wpr = wordsPerRow(bits);
            this.words = new long[Math.multiplyExact(count, wpr)];
        }

        public Builder set(int row, int bit) {
            if (bit < 0 || bit >= bits) {
                throw new IndexOutOfBoundsException("bit " + bit + " of " + bits);
            }
            words[row * wpr + (bit >>> 6)] |= 1L << (bit & 63);
            return this;
        }

        public SplineCodes build() {
            return new SplineCodes(count, bits, words);
        }
    }
}
