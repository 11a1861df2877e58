package org.polytopelens.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SplineCodesTest {
    /** Random 0/1 matrix and its packed codes, so every test has an unpacked reference. */
    private static boolean[][] randomBits(Random rnd, int n, int bits) {
        boolean[][] b = new boolean[n][bits];
        for (boolean[] row : b) {
            for (int i = 0; i < bits; i++) {
                row[i] = rnd.nextBoolean();
            }
        }
        return b;
    }

    private static SplineCodes pack(boolean[][] b, int bits) {
        SplineCodes.Builder builder = new SplineCodes.Builder(b.length, bits);
        for (int r = 0; r < b.length; r++) {
            for (int i = 0; i < bits; i++) {
                if (b[r][i]) {
                    builder.set(r, i);
                }
            }
        }
        return builder.build();
    }

    @Test
    void hammingEqualsCountOfDifferingBits() {
        Random rnd = new Random(1);
        for (int bits : new int[] {1, 63, 64, 65, 200}) {
            boolean[][] b = randomBits(rnd, 5, bits);
            SplineCodes c = pack(b, bits);
            for (int x = 0; x < 5; x++) {
                for (int y = 0; y < 5; y++) {
                    int expected = 0;
                    for (int i = 0; i < bits; i++) {
                        expected += b[x][i] != b[y][i] ? 1 : 0;
                    }
                    assertEquals(expected, c.hamming(x, y), "bits=" + bits);
                    assertEquals(b[x][bits - 1], c.get(x, bits - 1));
                }
            }
        }
    }

    @Test
    void concatBitsMatchesBitByBitConcatenation() {
        Random rnd = new Random(2);
        int[] widths = {3, 64, 61, 1, 130, 7};
        int n = 4;
        List<SplineCodes> parts = new ArrayList<>();
        List<boolean[][]> raw = new ArrayList<>();
        int total = 0;
        for (int w : widths) {
            boolean[][] b = randomBits(rnd, n, w);
            raw.add(b);
            parts.add(pack(b, w));
            total += w;
        }
        boolean[][] joined = new boolean[n][total];
        for (int r = 0; r < n; r++) {
            int at = 0;
            for (int p = 0; p < widths.length; p++) {
                System.arraycopy(raw.get(p)[r], 0, joined[r], at, widths[p]);
                at += widths[p];
            }
        }
        assertEquals(pack(joined, total), SplineCodes.concatBits(parts));
    }

    @Test
    void concatRowsAppendsPoints() {
        Random rnd = new Random(3);
        boolean[][] a = randomBits(rnd, 3, 70), b = randomBits(rnd, 2, 70);
        SplineCodes all = SplineCodes.concatRows(List.of(pack(a, 70), pack(b, 70)));
        assertEquals(5, all.count());
        assertEquals(pack(b, 70), all.rows(3, 5));
        assertThrows(IllegalArgumentException.class, () -> SplineCodes.concatRows(List.of(pack(a, 70), pack(randomBits(rnd, 1, 3), 3))));
    }

    @Test
    void packbitsRowIsBigEndianWithinBytesLikeNumpy() {
        // numpy.packbits([[1,0,0,0,0,0,0,1, 1,1]], axis=1) == [[0x81, 0xC0]]
        SplineCodes c = new SplineCodes.Builder(1, 10).set(0, 0).set(0, 7).set(0, 8).set(0, 9).build();
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0xC0}, c.packbitsRow(0));
    }

    /** packbits() and ones() (word-wise) against bit-by-bit definitions, for widths around word and byte edges. */
    @Test
    void packbitsAndOnesMatchBitByBit() {
        Random rnd = new Random(8);
        for (int bits : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 130, 7408}) {
            boolean[][] b = randomBits(rnd, 4, bits);
            SplineCodes c = pack(b, bits);
            int stride = (bits + 7) / 8;
            byte[] all = c.packbits();
            assertEquals(4 * stride, all.length);
            for (int r = 0; r < 4; r++) {
                byte[] want = new byte[stride];
                for (int i = 0; i < bits; i++) {
                    if (b[r][i]) {
                        want[i / 8] |= (byte) (0x80 >>> (i % 8));
                    }
                }
                assertArrayEquals(want, c.packbitsRow(r), "bits " + bits + " row " + r);
                assertArrayEquals(want, java.util.Arrays.copyOfRange(all, r * stride, (r + 1) * stride), "bits " + bits + " row " + r);
            }
            for (int k = 0; k < 30; k++) {
                int from = bits == 0 ? 0 : rnd.nextInt(bits + 1), to = from + (bits == from ? 0 : rnd.nextInt(bits - from + 1));
                long want = 0;
                for (boolean[] row : b) {
                    for (int i = from; i < to; i++) {
                        want += row[i] ? 1 : 0;
                    }
                }
                assertEquals(want, c.ones(from, to), "bits " + bits + " [" + from + ", " + to + ")");
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> pack(randomBits(rnd, 1, 10), 10).ones(3, 11));
    }

    @Test
    void wrongWordCountIsRejectedWithSizes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SplineCodes(2, 65, new long[3]));
        assertEquals("2 codes of 65 bits need 4 words, got 3", e.getMessage());
    }
}
