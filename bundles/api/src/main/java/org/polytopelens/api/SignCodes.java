package org.polytopelens.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Optional capability of a {@link Model}: the hard code "pre-activation &gt; 0" computed by the
 * backend itself, so that no pre-activation has to cross into Java as floats (ONNX Runtime
 * thresholds inside its graph and hands over one byte per neuron, which is then bit-packed).
 * Used for sites whose coder says its code is exactly that ({@link
 * ActivationCoder#signCode(ActivationSite)}). Thread-safe.
 */
@ConsumerType
public interface SignCodes {
    /**
     * The codes of {@code points} fed as tensor {@code feed}: for each site of {@code sites} in
     * order, one bit per neuron of its pre-activation (without the batch axis, C order), 1 iff
     * the value is &gt; 0 (NaN gives 0). Sites must have static shapes and no sequence axis.
     */
    SplineCodes codes(String feed, Tensor points, List<ActivationSite> sites) throws Exception;
}
