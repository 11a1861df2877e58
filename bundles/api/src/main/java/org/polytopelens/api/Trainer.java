package org.polytopelens.api;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.TrainedModel;

/**
 * Extension point: trains a classifier on a labelled dataset and writes it as an ONNX model the
 * backends open, beside its untrained twin (same architecture, the initial weights), so that
 * analyses can compare trained and untrained networks. Deterministic for a given seed up to
 * floating-point summation order. Calls {@link Progress#checkCancelled()} between batches.
 */
@ConsumerType
public interface Trainer extends Provider {
    /**
     * Trains on {@code train}, measures accuracy on {@code test}, and writes {@code model} and
     * {@link TrainedModel#twinOf(Path) its twin} atomically (both or neither).
     */
    TrainedModel train(Dataset train, Dataset test, Parameters params, Path model, Progress progress) throws Exception;
}
