package org.polytopelens.dataset.text;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.polytopelens.api.TokenDataset;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TokenInContext;

/**
 * Texts tokenised for a BERT-family model, one point per chosen token position. Immutable.
 *
 * @see TextDatasetProvider
 */
final class TokenizedTexts implements TokenDataset {
    /** The model input names fed: token ids, attention mask, token types (empty = not fed). */
    record Inputs(String ids, String mask, String types) {}

    private final List<WordPiece.Encoding> sequences;
    private final Inputs inputs;
    private final int context;
    /** Point i is token position {@code positions[i]} of sequence {@code sequenceOf[i]}. */
    private final int[] sequenceOf;
    private final int[] positions;

    /**
     * @param sequences the encoded texts, specials included
     * @param chosen per sequence, the positions that are points (ascending)
     * @param context tokens shown on each side of a point
     */
    TokenizedTexts(List<WordPiece.Encoding> sequences, List<int[]> chosen, Inputs inputs, int context) {
        this.sequences = List.copyOf(sequences);
        this.inputs = inputs;
        this.context = context;
        int n = chosen.stream().mapToInt(c -> c.length).sum();
        sequenceOf = new int[n];
        positions = new int[n];
        int k = 0;
        for (int s = 0; s < chosen.size(); s++) {
            for (int p : chosen.get(s)) {
                sequenceOf[k] = s;
                positions[k++] = p;
            }
        }
    }

    @Override
    public int size() {
        return positions.length;
    }

    @Override
    public int sequences() {
        return sequences.size();
    }

    /** The encoding of sequence {@code s}. */
    WordPiece.Encoding sequence(int s) {
        return sequences.get(s);
    }

    @Override
    public Map<String, Tensor> feeds(int from, int to) {
        if (from < 0 || to > sequences.size() || from > to) {
            throw new IndexOutOfBoundsException("sequences [" + from + ", " + to + ") of " + sequences.size());
        }
        int b = to - from;
        int seq = 0;
        for (int s = from; s < to; s++) {
            seq = Math.max(seq, sequences.get(s).ids().length);
        }
        float[] ids = new float[b * seq];
        float[] mask = new float[b * seq];
        for (int s = from; s < to; s++) {
            int[] t = sequences.get(s).ids();
            for (int k = 0; k < t.length; k++) {
                ids[(s - from) * seq + k] = t[k];
                mask[(s - from) * seq + k] = 1;
            }
        }
        long[] shape = {b, seq};
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        feeds.put(inputs.ids(), new Tensor(shape, ids));
        if (!inputs.mask().isEmpty()) {
            feeds.put(inputs.mask(), new Tensor(shape, mask));
        }
        if (!inputs.types().isEmpty()) {
            feeds.put(inputs.types(), new Tensor(shape, new float[b * seq]));
        }
        return feeds;
    }

    @Override
    public TokenInContext token(int i) {
        int s = sequenceOf[i];
        int p = positions[i];
        List<String> t = sequences.get(s).tokens();
        return new TokenInContext(s, p, t.get(p), detokenize(t.subList(Math.max(0, p - context), p), false),
                detokenize(t.subList(p + 1, Math.min(t.size(), p + 1 + context)), t.get(Math.min(t.size() - 1, p + 1)).startsWith("##")));
    }

    /** The pieces as text: {@code ##} continuations glued to the previous piece, specials dropped. */
    static String detokenize(List<String> pieces, boolean continuesToken) {
        StringBuilder b = new StringBuilder();
        for (String piece : pieces) {
            if (piece.equals("[CLS]") || piece.equals("[SEP]") || piece.equals("[PAD]")) {
                continue;
            }
            if (piece.startsWith("##")) {
                // a window that starts inside a word shows it cut
                b.append(b.length() == 0 && !continuesToken ? "\u2026" : "").append(piece, 2, piece.length());
            } else {
                if (b.length() > 0) {
                    b.append(' ');
                }
                b.append(piece);
            }
        }
        // the right context of a token split inside a word starts with the word's rest: mark it
        return continuesToken && b.length() > 0 ? "##" + b : b.toString();
    }

    @Override
    public String toString() {
        return "TokenizedTexts[" + sequences.size() + " sequences, " + positions.length + " tokens, inputs " + inputs + ", first positions "
                + Arrays.toString(Arrays.copyOf(positions, Math.min(8, positions.length))) + "]";
    }
}
