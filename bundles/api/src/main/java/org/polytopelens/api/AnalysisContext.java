package org.polytopelens.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

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

    /** Codes of points of {@link #layer()}'s space for the sites downstream of it. */
    SpaceEncoder encoder(Model model);

    ResultSink results();

    Engine engine();

    Progress progress();

    /** A line for the run's log. */
    void log(String message);
}
