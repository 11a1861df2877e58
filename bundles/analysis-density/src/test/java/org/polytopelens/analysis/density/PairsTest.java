package org.polytopelens.analysis.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PairsTest {
    @Test
    void keysDecodeToThePairsInRowMajorOrder() {
        for (int n : new int[] {2, 3, 7, 100, 1001}) {
            Pairs all = Pairs.all(n);
            long k = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++, k++) {
                    int f = all.first(k);
                    assertEquals(i, f, "n " + n + " key " + k);
                    assertEquals(j, all.second(k, f));
                }
            }
            assertEquals(k, all.size());
        }
        // Large n, where the square root rounds: the last pair of 100,000 points.
        Pairs big = Pairs.all(100_000);
        long last = big.size() - 1;
        assertEquals(99_998, big.first(last));
        assertEquals(99_999, big.second(last, 99_998));
    }

    @Test
    void samplesAreDistinctSortedSeededAndRoughlyUniform() {
        Pairs s = Pairs.sample(300, 20_000, 5);
        assertEquals(20_000, s.size());
        for (int k = 1; k < s.size(); k++) {
            assertTrue(s.key(k) > s.key(k - 1));
        }
        Pairs again = Pairs.sample(300, 20_000, 5);
        for (int k = 0; k < s.size(); k++) {
            assertEquals(s.key(k), again.key(k));
        }
        // The first point of a uniform pair is below n/2 with probability about 3/4 (rows shrink).
        long low = 0;
        for (int k = 0; k < s.size(); k++) {
            if (s.first(s.key(k)) < 150) {
                low++;
            }
        }
        double expected = (double) Pairs.all(300).rowStart(150) / Pairs.total(300);
        assertEquals(expected, (double) low / s.size(), 0.02);
        // Nearly all pairs: still distinct (many redraws).
        Pairs dense = Pairs.sample(40, 779, 1);
        assertEquals(779, dense.size());
        assertTrue(Pairs.sample(40, 780, 1).isAll());
    }
}
