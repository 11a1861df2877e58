package org.polytopelens.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.polytopelens.api.Model;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * What the steps of one run share: per model and layer, the points of dataset examples in the
 * layer's space and their hard and soft codes, kept row by row (one entry per example) so that
 * steps reading the examples in different blocks still hit. A row is computed by whichever step
 * asks first; identical for every step since points and codes depend on the example alone.
 * Bounded: rows are stored while the budget lasts, then computed again when asked (no eviction,
 * so what is cached does not depend on timing).
 */
final class RowCache {
    private enum Kind { POINTS, HARD, SOFT }

    private record Key(Model model, String layer, Kind kind) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.model == model && k.layer.equals(layer) && k.kind == kind;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(model) * 31 + layer.hashCode() * 7 + kind.ordinal();
        }
    }

    /** One table: a row per example, and the row shape (point shape, or code width). */
    private static final class Table {
        final AtomicReferenceArray<Object> rows;
        volatile long[] pointShape;
        volatile int width = -1;

        Table(int size) {
            rows = new AtomicReferenceArray<>(size);
        }
    }

    private final int size;
    private final long budgetBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final Map<Key, Table> tables = new ConcurrentHashMap<>();

    /** @param size examples in the dataset; @param budgetBytes memory for cached rows (0: no cache) */
    RowCache(int size, long budgetBytes) {
        this.size = size;
        this.budgetBytes = budgetBytes;
    }

    static RowCache none() {
        return new RowCache(0, 0);
    }

    interface Compute<T> {
        T get() throws Exception;
    }

    Tensor points(Model m, String layer, int from, int to, Compute<Tensor> compute) throws Exception {
        Table t = table(m, layer, Kind.POINTS);
        if (t != null && all(t, from, to)) {
            hits.addAndGet(to - from);
            int w = (int) Tensor.size(t.pointShape);
            float[] d = new float[Math.multiplyExact(to - from, w)];
            for (int i = from; i < to; i++) {
                System.arraycopy((float[]) t.rows.get(i), 0, d, (i - from) * w, w);
            }
            return Tensor.batch(to - from, t.pointShape, d);
        }
        Tensor out = compute.get();
        misses.addAndGet(to - from);
        if (t != null && out.rows() == to - from) {
            t.pointShape = out.pointShape();
            for (int i = from; i < to; i++) {
                store(t, i, out.row(i - from), 4L * out.rowSize());
            }
        }
        return out;
    }

    SplineCodes hard(Model m, String layer, int from, int to, Compute<SplineCodes> compute) throws Exception {
        Table t = table(m, layer, Kind.HARD);
        if (t != null && all(t, from, to)) {
            hits.addAndGet(to - from);
            int bits = t.width, wpr = SplineCodes.wordsPerRow(bits);
            long[] words = new long[Math.multiplyExact(to - from, wpr)];
            for (int i = from; i < to; i++) {
                System.arraycopy((long[]) t.rows.get(i), 0, words, (i - from) * wpr, wpr);
            }
            return new SplineCodes(to - from, bits, words);
        }
        SplineCodes out = compute.get();
        misses.addAndGet(to - from);
        if (t != null && out.count() == to - from) {
            t.width = out.bits();
            int wpr = out.wordsPerRow();
            for (int i = from; i < to; i++) {
                long[] row = new long[wpr];
                System.arraycopy(out.words(), (i - from) * wpr, row, 0, wpr);
                store(t, i, row, 8L * wpr);
            }
        }
        return out;
    }

    SoftCodes soft(Model m, String layer, int from, int to, Compute<SoftCodes> compute) throws Exception {
        Table t = table(m, layer, Kind.SOFT);
        if (t != null && all(t, from, to)) {
            hits.addAndGet(to - from);
            int w = t.width;
            float[] p = new float[Math.multiplyExact(to - from, w)];
            for (int i = from; i < to; i++) {
                System.arraycopy((float[]) t.rows.get(i), 0, p, (i - from) * w, w);
            }
            return new SoftCodes(to - from, w, p);
        }
        SoftCodes out = compute.get();
        misses.addAndGet(to - from);
        if (t != null && out.count() == to - from) {
            int w = out.neurons();
            t.width = w;
            for (int i = from; i < to; i++) {
                float[] row = new float[w];
                System.arraycopy(out.p(), (i - from) * w, row, 0, w);
                store(t, i, row, 4L * w);
            }
        }
        return out;
    }

    private Table table(Model m, String layer, Kind kind) {
        return budgetBytes <= 0 ? null : tables.computeIfAbsent(new Key(m, layer, kind), k -> new Table(size));
    }

    private static boolean all(Table t, int from, int to) {
        if (from < 0 || to > t.rows.length() || from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (t.rows.get(i) == null) {
                return false;
            }
        }
        return true;
    }

    private void store(Table t, int i, Object row, long bytes) {
        if (i < 0 || i >= t.rows.length() || t.rows.get(i) != null) {
            return;
        }
        if (used.addAndGet(bytes) > budgetBytes) {
            used.addAndGet(-bytes);
            return;
        }
        if (!t.rows.compareAndSet(i, null, row)) {
            used.addAndGet(-bytes);
        }
    }

    /** Rows served from the cache, rows computed, bytes held. */
    long[] stats() {
        return new long[] {hits.get(), misses.get(), used.get()};
    }
}
