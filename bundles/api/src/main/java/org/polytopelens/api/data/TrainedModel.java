package org.polytopelens.api.data;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link org.polytopelens.api.Trainer} wrote and measured.
 *
 * @param model the trained ONNX model
 * @param untrained its untrained twin: the same architecture at the initial weights
 * @param architecture a human description, e.g. {@code mlp 784-128-64-10}
 * @param seed the seed of the initial weights and of the batch order
 * @param loss mean training loss per epoch
 * @param trainAccuracy accuracy on the training examples after training
 * @param testAccuracy accuracy on the held-back examples after training
 * @param untrainedTestAccuracy accuracy of the untrained twin on the held-back examples
 */
public record TrainedModel(Path model, Path untrained, String architecture, long seed, List<Double> loss,
        double trainAccuracy, double testAccuracy, double untrainedTestAccuracy) {
    public TrainedModel {
        loss = List.copyOf(loss);
    }

    /** Where a trainer writes the untrained twin of {@code model}: {@code x.onnx -> x-init.onnx}. */
    public static Path twinOf(Path model) {
        String name = model.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return model.resolveSibling(stem + "-init.onnx");
    }
}
