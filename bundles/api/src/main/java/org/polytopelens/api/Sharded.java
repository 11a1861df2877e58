package org.polytopelens.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Heavy work shaped as independent shards plus a merge: extraction over a dataset (shards are
 * batches), grid tiles of a 2D slice, blocks of pairs. A shard is named by its index only, so an
 * {@link Engine} may run shards in any order, in parallel, or on other machines.
 *
 * @param <R> a shard's partial result; {@link #merge} receives them in index order
 */
@ConsumerType
public interface Sharded<R> {
    int shards();

    /** Computes shard {@code index}; must not depend on other shards. May run on any thread. */
    R shard(int index, Progress progress) throws Exception;

    R merge(List<R> parts);
}
