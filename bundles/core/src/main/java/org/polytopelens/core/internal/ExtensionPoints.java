package org.polytopelens.core.internal;

import java.util.List;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.ClusteringAlgorithm;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Provider;
import org.polytopelens.api.Reporter;
import org.polytopelens.api.Trainer;
import org.polytopelens.api.Visualizer;

/** The workbench's extension points, in the order listings show them. */
public final class ExtensionPoints {
    private ExtensionPoints() {}

    /** An extension point: short name, interface, one-line description. */
    public record Point(String name, Class<? extends Provider> type, String description) {}

    public static final List<Point> ALL = List.of(
            new Point("backend", ModelBackend.class, "opens model files and runs them, exposing intermediate tensors"),
            new Point("coder", ActivationCoder.class, "turns a site's pre-activations into hard or soft spline codes"),
            new Point("dataset", DatasetProvider.class, "reads the examples an experiment feeds the model"),
            new Point("clustering", ClusteringAlgorithm.class, "partitions points (activations or codes) by their distances"),
            new Point("analysis", Analysis.class, "one step of an experiment: computes and writes results"),
            new Point("visualizer", Visualizer.class, "renders published results as files"),
            new Point("reporter", Reporter.class, "writes a run-level document (e.g. an HTML report) from a finished run"),
            new Point("trainer", Trainer.class, "trains a model on a dataset and writes it as ONNX beside its untrained twin"));

    public static Point of(Class<?> type) {
        for (Point p : ALL) {
            if (p.type() == type) {
                return p;
            }
        }
        throw new IllegalArgumentException("not an extension point: " + type.getName() + "; extension points: "
                + ALL.stream().map(p -> p.type().getSimpleName()).toList());
    }
}
