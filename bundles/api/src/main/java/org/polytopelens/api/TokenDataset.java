package org.polytopelens.api;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TokenInContext;

/**
 * A dataset whose points are the tokens of tokenised texts (METHODS.md: "points of sequence
 * models"). A model runs on whole sequences; each non-padding token position of a sequence's
 * tensors {@code [batch, seq, ...]} is one point. Points of one sequence are consecutive and
 * sequences come in order, so the points {@code [from, to)} cover a contiguous run of sequences.
 * Points exist only inside a model: the workbench gathers them from a layer's tensor, so {@link
 * #batch} has no meaning here and throws.
 */
@ConsumerType
public interface TokenDataset extends Dataset {
    /** Number of sequences (texts). */
    int sequences();

    /**
     * The model inputs of sequences {@code [from, to)}, padded to the longest of them: input name
     * to a {@code [to - from, seq]} tensor (token ids and masks as exact float32 integers).
     */
    Map<String, Tensor> feeds(int from, int to) throws Exception;

    /** Point {@code i}'s token, its sequence and position, and its context for display. */
    TokenInContext token(int i);

    @Override
    default Tensor batch(int from, int to) {
        throw new UnsupportedOperationException("the points of a token dataset are token positions inside a model: analyses read them from a layer "
                + "(set 'layer' to a tensor with a sequence axis, e.g. an FFN's pre-activation)");
    }

    @Override
    default String describe(int i) {
        return token(i).display();
    }
}
