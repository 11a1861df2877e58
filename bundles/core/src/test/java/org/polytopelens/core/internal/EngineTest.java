package org.polytopelens.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;

class EngineTest {
    static Sharded<List<Integer>> work(int n, java.util.function.IntConsumer body) {
        return new Sharded<>() {
            @Override
            public int shards() {
                return n;
            }

            @Override
            public List<Integer> shard(int i, Progress p) {
                body.accept(i);
                return List.of(i);
            }

            @Override
            public List<Integer> merge(List<List<Integer>> parts) {
                List<Integer> all = new ArrayList<>();
                parts.forEach(all::addAll);
                return all;
            }
        };
    }

    @Test
    void mergesInIndexOrderWhateverTheFinishingOrder() {
        try (ParallelEngine e = new ParallelEngine(4)) {
            List<Integer> out = e.run(work(12, i -> sleep((12 - i) * 3)), Progress.NONE);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), out);
            assertEquals(List.of(), e.run(work(0, i -> {}), Progress.NONE));
        }
    }

    @Test
    void firstFailureCancelsTheRest() {
        AtomicInteger finished = new AtomicInteger();
        try (ParallelEngine e = new ParallelEngine(2)) {
            long t0 = System.nanoTime();
            Engine.ShardFailedException x = assertThrows(Engine.ShardFailedException.class, () -> e.run(work(40, i -> {
                if (i == 1) {
                    throw new IllegalStateException("bad shard");
                }
                sleep(200);
                finished.incrementAndGet();
            }), Progress.NONE));
            assertEquals(1, x.shard());
            assertTrue(x.getMessage().contains("bad shard"), x.getMessage());
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "did not wait for the 40 shards");
            assertTrue(finished.get() < 40);
        }
    }

    @Test
    void nestedUseRunsInlineAndCancellationStops() {
        try (ParallelEngine e = new ParallelEngine(2)) {
            List<Integer> out = e.run(work(3, i -> e.run(work(3, j -> {}), Progress.NONE)), Progress.NONE);
            assertEquals(List.of(0, 1, 2), out);
            AtomicBoolean cancel = new AtomicBoolean();
            Progress p = new Progress() {
                @Override
                public void report(double f, String m) {}

                @Override
                public boolean cancelled() {
                    return cancel.get();
                }
            };
            assertThrows(CancellationException.class, () -> e.run(work(50, i -> {
                cancel.set(true);
                sleep(5);
            }), p));
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }
}
