package org.polytopelens.api;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.Tensor;

/**
 * Examples to feed a model, read in batches so that any size streams. Thread-safe for reads.
 */
@ConsumerType
public interface Dataset extends AutoCloseable {
    /** Number of examples (points). */
    int size();

    /** The model input name this dataset feeds, or empty for the model's first input. */
    default Optional<String> input() {
        return Optional.empty();
    }

    /** Examples {@code [from, to)} as a batch (first axis = examples). */
    Tensor batch(int from, int to) throws Exception;

    /** Class labels, one per example, if the dataset has them. */
    default Optional<int[]> labels() {
        return Optional.empty();
    }

    /** A short human description of example {@code i} (its label, its token in context...). */
    default String describe(int i) {
        return "#" + i;
    }

    @Override
    default void close() {}
}
