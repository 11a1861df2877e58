package org.polytopelens.cluster.hdbscan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.CodePoints;

/** Wall time on packed codes (min samples 5, min cluster size 10, two threads for core distances). */
class TimingTest {
    private static double seconds(CodePoints codes) throws Exception {
        Hdbscan h = new Hdbscan(10, 5, Hdbscan.Selection.EOM, false, HdbscanClustering.THREADS);
        h.run(codes.codes().count() > 4000 ? Points.codes(1, codes.codes().bits(), 2, 500, 0.05, 0) : codes, Progress.NONE); // warm-up
        long t0 = System.nanoTime();
        Progress timed = new Progress() {
            String last = "";

            public void report(double fraction, String message) {
                String phase = message.replaceAll(",.*", "");
                if (!phase.equals(last)) {
                    System.out.printf("  %.3f s: %s%n", (System.nanoTime() - t0) / 1e9, phase);
                    last = phase;
                }
            }

            public boolean cancelled() {
                return false;
            }
        };
        Clustering c = h.run(codes, timed).clustering();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("HDBSCAN* on %d codes of %d bits: %.3f s, %d clusters%n", codes.size(), codes.codes().bits(), s, c.clusters());
        return s;
    }

    @Test
    void twoThousandCodesOf96Bits() throws Exception {
        assertTrue(seconds(Points.codes(5, 96, 20, 90, 0.05, 200)) < 5);
    }

    /** The benchmark size; minutes of CPU, so only on request: -Dhdbscan.big=true. */
    @Test
    @EnabledIfSystemProperty(named = "hdbscan.big", matches = "true")
    void twentyThousandCodesOf7408Bits() throws Exception {
        seconds(Points.codes(5, 7408, 40, 450, 0.05, 2000));
    }
}
