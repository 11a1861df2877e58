package org.polytopelens.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;

/**
 * The local engine: a fixed pool of threads runs the shards, the merge sees them in index order,
 * and the first failure cancels (interrupts) the rest. Work submitted from inside a shard runs
 * inline on that thread, so nested use cannot deadlock the pool. Close to stop the threads.
 */
public final class ParallelEngine implements Engine, AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final int threads;
    private final ExecutorService pool;
    private final ThreadLocal<Boolean> insideShard = ThreadLocal.withInitial(() -> false);

    public ParallelEngine(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("engine needs at least one thread, got " + threads);
        }
        this.threads = threads;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "workbench-engine-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public <R> R run(Sharded<R> work, Progress progress) {
        int n = work.shards();
        progress.checkCancelled();
        if (n <= 1 || threads == 1 || insideShard.get()) {
            List<R> parts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                progress.checkCancelled();
                parts.add(runShard(work, i, progress));
            }
            return work.merge(parts);
        }
        CompletionService<Object[]> cs = new ExecutorCompletionService<>(pool);
        List<Future<Object[]>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(cs.submit(() -> {
                insideShard.set(true);
                try {
                    progress.checkCancelled();
                    return new Object[] {index, runShard(work, index, progress)};
                } finally {
                    insideShard.set(false);
                }
            }));
        }
        Object[] results = new Object[n];
        try {
            for (int done = 0; done < n; done++) {
                Object[] r = cs.take().get();
                results[(Integer) r[0]] = r[1];
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re; // ShardFailedException, or a CancellationException from progress
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new ShardFailedException(-1, c);
        }
        @SuppressWarnings("unchecked")
        List<R> parts = (List<R>) Arrays.asList(results);
        return work.merge(parts);
    }

    private static <R> R runShard(Sharded<R> work, int index, Progress progress) {
        try {
            return work.shard(index, progress);
        } catch (CancellationException | ShardFailedException e) {
            throw e;
        } catch (Exception e) {
            throw new ShardFailedException(index, e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
