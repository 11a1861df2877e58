package org.polytopelens.api;

import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.Result;

/**
 * Extension point: renders published results as files (PNG, SVG, HTML fragments) through the
 * sink. Called after the step that published the result; a failure is recorded and does not fail
 * the step. Stateless and thread-safe.
 */
@ConsumerType
public interface Visualizer extends Provider {
    boolean supports(Result result);

    void render(Result result, ResultSink out, Parameters params) throws Exception;
}
