package org.polytopelens.api.data;

/**
 * One token point of a {@link org.polytopelens.api.TokenDataset}: where it sits (sequence index,
 * position on the sequence axis of the model's tensors) and what it is, with the text around it.
 *
 * @param sequence index of its sequence in the dataset
 * @param position index on the sequence axis ({@code [CLS]} is 0 for BERT-family models)
 * @param token the token as the tokenizer wrote it (e.g. {@code ##ing})
 * @param left text before the token (a few tokens, detokenised)
 * @param right text after the token
 */
public record TokenInContext(int sequence, int position, String token, String left, String right) {
    public TokenInContext {
        if (sequence < 0 || position < 0) {
            throw new IllegalArgumentException("sequence and position must be >= 0, got " + sequence + ", " + position);
        }
        token = token == null ? "" : token;
        left = left == null ? "" : left;
        right = right == null ? "" : right;
    }

    /** One line: the context with the token in brackets, e.g. {@code the cat [sat] on the mat}. */
    public String display() {
        return (left.isEmpty() ? "" : left + " ") + "[" + token + "]" + (right.isEmpty() ? "" : " " + right);
    }
}
