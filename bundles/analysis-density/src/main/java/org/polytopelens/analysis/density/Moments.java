package org.polytopelens.analysis.density;

/**
 * Count, mean and sum of squared deviations of a stream of values (Welford), mergeable in a
 * fixed order (Chan et al.), so shards of pairs need O(1) memory and the merged result does not
 * depend on how many threads ran them.
 */
final class Moments {
    long n;
    double mean;
    double m2;

    void add(double x) {
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }

    void add(Moments o) {
        if (o.n == 0) {
            return;
        }
        if (n == 0) {
            n = o.n;
            mean = o.mean;
            m2 = o.m2;
            return;
        }
        long total = n + o.n;
        double d = o.mean - mean;
        mean += d * o.n / total;
        m2 += o.m2 + d * d * ((double) n * o.n / total);
        n = total;
    }

    /** Sample variance (n - 1 in the denominator); NaN below two values. */
    double variance() {
        return n < 2 ? Double.NaN : m2 / (n - 1);
    }

    double meanOrNaN() {
        return n == 0 ? Double.NaN : mean;
    }
}
