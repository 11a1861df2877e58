package org.polytopelens.api;

import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Extension point: turns a site's pre-activations into spline codes. Every coder gives hard codes
 * (bits) and soft codes (probabilities): a piecewise-linear gate's soft code is its hard code; a
 * smooth gate's hard code is its soft code hardened at 0.5. Stateless and thread-safe.
 */
@ConsumerType
public interface ActivationCoder extends Provider {
    /** Whether this coder codes {@code site} (usually by its op). */
    boolean supports(ActivationSite site);

    /** Bits per neuron of the hard code (1 for ReLU; 2 for a three-piece gate such as Clip). */
    default int bitsPerNeuron(ActivationSite site) {
        return 1;
    }

    /**
     * Hard codes of a batch: {@code preactivations} has the batch axis first; each row is the
     * site's pre-activation flattened in C order. Row {@code r} of the result codes point
     * {@code r} with {@code neurons * bitsPerNeuron} bits, neuron-major.
     */
    SplineCodes hard(ActivationSite site, Tensor preactivations);

    /**
     * Whether this coder's hard code of {@code site} is exactly one bit per neuron, 1 iff the
     * pre-activation is &gt; 0, so that a backend offering {@link Model#signCodes()} may compute it
     * instead (the encoder then never fetches the pre-activations).
     */
    default boolean signCode(ActivationSite site) {
        return false;
    }

    /** Soft codes of a batch: one probability per neuron. */
    default SoftCodes soft(ActivationSite site, Tensor preactivations) {
        return SoftCodes.of(hard(site, preactivations));
    }
}
