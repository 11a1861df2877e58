package org.polytopelens.api;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Spline codes of points in one layer's space: runs the model from that layer, takes the
 * pre-activations of the chosen sites downstream of it, and codes each with the coder that
 * supports it. Provided by the workbench; thread-safe.
 */
@ProviderType
public interface SpaceEncoder {
    /** The tensor whose points are coded ("" for the model input). */
    String layer();

    /** The sites coded, in graph order. */
    List<ActivationSite> sites();

    /** Which bits belong to which site. */
    CodeLayout layout();

    /** Hard codes of a batch of points of {@link #layer()}'s space. */
    SplineCodes hard(Tensor points) throws Exception;

    /** Soft codes of a batch of points. */
    SoftCodes soft(Tensor points) throws Exception;

    /**
     * The same codes (same sites, coders and layout) computed from points of another tensor's
     * space: a tensor between the layer and the sites, at or before every site's pre-activation.
     * Empty when the encoder cannot feed that tensor. Used with {@link Model#isAffine} to skip the
     * affine layers after the layer when the points form an affine family.
     */
    default Optional<SpaceEncoder> fedAt(String tensor) {
        return Optional.empty();
    }
}
