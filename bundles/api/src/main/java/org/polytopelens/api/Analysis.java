package org.polytopelens.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Extension point: one analysis step of an experiment (codes, density, interpolation, scaling,
 * slice, clusters, directions...). It reads what it needs through the {@link AnalysisContext},
 * does heavy work as {@link Sharded} work on the context's {@link Engine}, and writes files and
 * {@link org.polytopelens.api.data.Result}s through {@link AnalysisContext#results()}.
 *
 * <p>Contract: called on a workbench thread, one step at a time per context; must check {@link
 * Progress#checkCancelled()} regularly; an exception fails this step only (the run records it and
 * goes on with the next step). Stateless and thread-safe: the same instance may serve several runs.
 */
@ConsumerType
public interface Analysis extends Provider {
    void run(AnalysisContext context, Parameters params) throws Exception;
}
