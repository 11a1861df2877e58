package org.polytopelens.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/** What an analysis step sees of its experiment. Provided by the workbench. */
@ProviderType
public interface AnalysisContext {
    /** The experiment's model (the first one when it names several). */
    Model model();

    /** Every model of the experiment by role (e.g. {@code "trained"}, {@code "untrained"}). */
    Map<String, Model> models();

    Dataset dataset();

    /**
     * The tensor whose space this step works in ("layer L"), or the empty string for the model's
     * input space.
     */
    String layer();

    /**
     * Points of {@link #layer()}'s space for dataset examples {@code [from, to)}: the dataset's
     * batch run through {@code model} up to the layer, or the batch itself when the layer is the
     * input or the dataset already holds points of the layer's space ({@code dataset_space: layer}).
     * Computed once per example for the whole run (steps share them) as far as memory allows.
     */
    Tensor points(Model model, int from, int to) throws Exception;

    /** Codes of points of {@link #layer()}'s space for the sites downstream of it. */
    SpaceEncoder encoder(Model model);

    /**
     * Hard codes of dataset examples {@code [from, to)} in the layer's space: {@code
     * encoder(model).hard(points(model, from, to))}, which the workbench computes once per example
     * for the whole run, so that the steps of an experiment share one extraction.
     */
    default SplineCodes codes(Model model, int from, int to) throws Exception {
        return encoder(model).hard(points(model, from, to));
    }

    /** Soft codes of dataset examples {@code [from, to)}, shared by the run's steps as {@link #codes} are. */
    default SoftCodes softCodes(Model model, int from, int to) throws Exception {
        return encoder(model).soft(points(model, from, to));
    }

    ResultSink results();

    Engine engine();

    Progress progress();

    /** A line for the run's log. */
    void log(String message);
}
