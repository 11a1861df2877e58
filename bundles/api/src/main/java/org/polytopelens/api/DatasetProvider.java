package org.polytopelens.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Extension point: reads a dataset described by parameters (a path, a split, a size...). */
@ConsumerType
public interface DatasetProvider extends Provider {
    /** Opens the dataset. Paths in {@code params} are already resolved against the experiment file. */
    Dataset open(Parameters params) throws Exception;
}
