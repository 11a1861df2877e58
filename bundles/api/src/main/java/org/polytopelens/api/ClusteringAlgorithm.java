package org.polytopelens.api;

import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.PointSet;

/**
 * Extension point: partitions points (activations, hard or soft codes) using only their
 * distances, or their vectors where {@code points} is a {@link
 * org.polytopelens.api.data.VectorPoints} and the algorithm needs them. Calls {@link
 * Progress#checkCancelled()} in long loops. Stateless and thread-safe.
 */
@ConsumerType
public interface ClusteringAlgorithm extends Provider {
    Clustering cluster(PointSet points, Parameters params, Progress progress) throws Exception;
}
