package org.polytopelens.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs {@link Sharded} work. The default engine uses this machine's cores; a distributed engine
 * can run the same shards elsewhere without changing the plugin.
 */
@ProviderType
public interface Engine {
    /**
     * Runs every shard, then merges. The first shard failure cancels the rest and is rethrown
     * (wrapped in {@link ShardFailedException} with the shard index).
     */
    <R> R run(Sharded<R> work, Progress progress);

    /** Threads the engine uses; plugins may size batches by it. */
    int parallelism();

    final class ShardFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int shard;

        public ShardFailedException(int shard, Throwable cause) {
            super("shard " + shard + " failed: " + cause, cause);
            this.shard = shard;
        }

        public int shard() {
            return shard;
        }
    }
}
