package org.example.polytope.firing;

import java.nio.LongBuffer;
import java.util.HashSet;
import java.util.Set;
import org.polytopelens.api.data.SplineCodes;

/**
 * What the codes of a dataset say about each neuron and about the polytopes it occupies: how
 * often each bit is on, how many neurons never or always fire, and how many distinct codes
 * (polytopes) the points fall into. Plain Java, unit-tested without the workbench; feed it batch
 * by batch.
 */
public final class FiringRates {
    private final long[] on;
    private final Set<LongBuffer> distinct = new HashSet<>();
    private long points;

    public FiringRates(int bits) {
        this.on = new long[bits];
    }

    /** Adds a batch of codes (bits must match). */
    public void add(SplineCodes codes) {
        if (codes.bits() != on.length) {
            throw new IllegalArgumentException("codes of " + codes.bits() + " bits, expected " + on.length);
        }
        int wpr = codes.wordsPerRow();
        for (int r = 0; r < codes.count(); r++) {
            for (int w = 0; w < wpr; w++) {
                long word = codes.words()[r * wpr + w];
                while (word != 0) { // visit the set bits only
                    int bit = w * 64 + Long.numberOfTrailingZeros(word);
                    on[bit]++;
                    word &= word - 1;
                }
            }
            long[] row = new long[wpr];
            System.arraycopy(codes.words(), r * wpr, row, 0, wpr);
            distinct.add(LongBuffer.wrap(row)); // LongBuffer compares contents
        }
        points += codes.count();
    }

    public long points() {
        return points;
    }

    /** Fraction of points whose bit {@code j} is on. */
    public double rate(int j) {
        return points == 0 ? 0 : (double) on[j] / points;
    }

    public double[] rates() {
        double[] r = new double[on.length];
        for (int j = 0; j < r.length; j++) {
            r[j] = rate(j);
        }
        return r;
    }

    /** Neurons off for every point (dead on this data). */
    public int neverOn() {
        int n = 0;
        for (long c : on) {
            n += c == 0 ? 1 : 0;
        }
        return n;
    }

    /** Neurons on for every point (linear on this data). */
    public int alwaysOn() {
        int n = 0;
        for (long c : on) {
            n += points > 0 && c == points ? 1 : 0;
        }
        return n;
    }

    /** Distinct codes among the points: the number of polytopes the data occupies. */
    public int polytopes() {
        return distinct.size();
    }
}
