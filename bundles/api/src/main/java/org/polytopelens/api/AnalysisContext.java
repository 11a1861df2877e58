package org.polytopelens.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;
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
     */
    Tensor points(Model model, int from, int to) throws Exception;

    /** Codes of points of {@link #layer()}'s space for the sites downstream of it. */
    SpaceEncoder encoder(Model model);

    ResultSink results();

    Engine engine();

    Progress progress();

    /** A line for the run's log. */
    void log(String message);
}
