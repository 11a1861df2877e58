package org.polytopelens.api;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Tensor;

/**
 * An opened model. {@link #run} feeds any tensors and fetches any tensors: feeding an
 * intermediate tensor T cuts the graph there, so points of "layer T's space" run to the outputs;
 * fetching an intermediate tensor exposes it. Thread-safe: {@code run} may be called from several
 * engine threads at once. Close to release native resources.
 */
@ConsumerType
public interface Model extends AutoCloseable {
    ModelInfo info();

    /**
     * Runs a batch. {@code feeds} maps tensor names (model inputs or any tensor in {@link
     * ModelInfo#tensors()}) to batches with the same first (batch) axis; {@code fetches} names the
     * tensors to return (a fetched tensor that is also fed comes back as fed). An unknown name is
     * an error listing the valid ones.
     */
    Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) throws Exception;

    /** Hard "pre-activation > 0" codes computed inside the backend, for backends that can (see {@link SignCodes}). */
    default Optional<SignCodes> signCodes() {
        return Optional.empty();
    }

    /**
     * Whether tensor {@code to} is an affine function of tensor {@code from} alone (per point: no
     * nonlinearity between them, and nothing else fed reaches {@code to}), as far as the backend
     * can tell from the graph. Lets an analysis that feeds affine families of points (a plane, a
     * line) compute {@code to} from a few runs instead of running every point through the
     * layers between. Backends that cannot tell answer false; an unknown name is an error.
     */
    default boolean isAffine(String from, String to) {
        return false;
    }

    /** The exact-geometry capability, for backends that know the piecewise-linear structure. */
    default Optional<PiecewiseLinear> piecewiseLinear() {
        return Optional.empty();
    }

    @Override
    void close();
}
