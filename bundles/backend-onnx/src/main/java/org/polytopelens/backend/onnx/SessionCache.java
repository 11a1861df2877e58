package org.polytopelens.backend.onnx;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A bounded least-recently-used cache of closeable values (ONNX Runtime sessions) shared by
 * concurrent callers. A value is created once per key even when several threads ask at once, and
 * an evicted value is closed only when the last caller using it has released its lease, so a
 * running inference never loses its session.
 */
final class SessionCache<K, V extends AutoCloseable> implements AutoCloseable {
    private final int capacity;
    private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    private static final class Entry<V> {
        final CompletableFuture<V> value = new CompletableFuture<>();
        int leases;
        boolean evicted;
    }

    /** A value in use; closing the lease hands it back. */
    final class Lease implements AutoCloseable {
        private final Entry<V> entry;
        private final V value;
        private boolean released;

        private Lease(Entry<V> entry, V value) {
            this.entry = entry;
            this.value = value;
        }

        V value() {
            return value;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(entry);
            }
        }
    }

    SessionCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("session cache capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The value for {@code key}, created by {@code factory} (outside the cache's lock) if absent. */
    Lease acquire(K key, Callable<V> factory) throws Exception {
        Entry<V> entry;
        boolean create = false;
        List<Entry<V>> toClose;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            entry = entries.get(key);
            if (entry == null) {
                entry = new Entry<>();
                entries.put(key, entry);
                create = true;
            }
            entry.leases++;
            toClose = evictOverflow();
        }
        closeAll(toClose);
        if (create) {
            try {
                entry.value.complete(factory.call());
            } catch (Exception | Error e) {
                entry.value.completeExceptionally(e);
                synchronized (this) {
                    entries.remove(key, entry);
                }
                release(entry);
                throw e;
            }
        }
        try {
            return new Lease(entry, entry.value.join());
        } catch (CompletionException e) {
            release(entry);
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    synchronized int size() {
        return entries.size();
    }

    private List<Entry<V>> evictOverflow() {
        List<Entry<V>> toClose = new ArrayList<>();
        Iterator<Entry<V>> eldest = entries.values().iterator();
        while (entries.size() > capacity && eldest.hasNext()) {
            Entry<V> e = eldest.next();
            eldest.remove();
            e.evicted = true;
            if (e.leases == 0) {
                toClose.add(e);
            }
        }
        return toClose;
    }

    private void release(Entry<V> entry) {
        boolean close;
        synchronized (this) {
            entry.leases--;
            close = entry.leases == 0 && entry.evicted;
        }
        if (close) {
            closeAll(List.of(entry));
        }
    }

    private void closeAll(List<Entry<V>> dead) {
        for (Entry<V> e : dead) {
            V v = e.value.getNow(null);
            if (v != null) {
                try {
                    v.close();
                } catch (Exception ignored) {
                    // Closing native memory cannot be retried; nothing useful to report to a caller.
                }
            }
        }
    }

    /** Closes every idle value now and every leased one when its lease is released. */
    @Override
    public void close() {
        List<Entry<V>> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Map.Entry<K, Entry<V>> e : entries.entrySet()) {
                e.getValue().evicted = true;
                if (e.getValue().leases == 0) {
                    toClose.add(e.getValue());
                }
            }
            entries.clear();
        }
        closeAll(toClose);
    }
}
