package org.polytopelens.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.AffineMap;
import org.polytopelens.api.data.Crossing;

/**
 * Optional capability of a {@link Model} whose network from tensor {@code from} to {@code to} is
 * piecewise linear: inside a polytope it is one affine map. Points are one row of
 * {@code from}'s space (C order, without the batch axis).
 */
@ConsumerType
public interface PiecewiseLinear {
    /** The affine map valid in the polytope containing {@code point}. */
    AffineMap affineMap(String from, float[] point, String to) throws Exception;

    /** {@code A v} at {@code point} (gates held fixed), for layers too large to materialise A. */
    float[] jvp(String from, float[] point, float[] direction, String to) throws Exception;

    /**
     * Every boundary of the given sites crossed on the segment from {@code a} to {@code b}, in
     * increasing {@code t}; exact, so it equals the code changes of any fine enough sampling.
     */
    List<Crossing> walk(String from, float[] a, float[] b, List<String> sites) throws Exception;
}
