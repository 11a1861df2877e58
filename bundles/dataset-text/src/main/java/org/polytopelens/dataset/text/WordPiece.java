package org.polytopelens.dataset.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer of BERT-family models (BERT, MiniLM, ...) as their {@code tokenizer.json}
 * describes it, offline and in plain Java: {@code BertNormalizer} (clean text, space around CJK
 * ideographs, strip accents, lowercase), {@code BertPreTokenizer} (split on whitespace and around
 * punctuation), {@code WordPiece} (greedy longest match, {@code ##} continuations, {@code [UNK]}
 * for words it cannot cover or longer than the limit), then {@code [CLS] ... [SEP]} truncated to
 * the maximum length. Immutable and thread-safe.
 */
public final class WordPiece {
    /** Token ids and strings of one text, specials included. */
    public record Encoding(int[] ids, List<String> tokens) {}

    private final Map<String, Integer> vocab;
    private final String unk;
    private final String prefix;
    private final int maxWordChars;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final int maxLength;

    WordPiece(Map<String, Integer> vocab, String unk, String prefix, int maxWordChars, boolean lowercase, boolean stripAccents, int maxLength) {
        this.vocab = Map.copyOf(vocab);
        this.unk = unk;
        this.prefix = prefix;
        this.maxWordChars = maxWordChars;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.maxLength = maxLength;
        for (String special : List.of(unk, "[CLS]", "[SEP]", "[PAD]")) {
            if (!vocab.containsKey(special)) {
                throw new IllegalArgumentException("the vocabulary has no " + special + " token");
            }
        }
    }

    /** Reads a Hugging Face {@code tokenizer.json} whose model is WordPiece. */
    public static WordPiece read(Path tokenizerJson) throws IOException {
        JsonNode t = new ObjectMapper().readTree(tokenizerJson.toFile());
        JsonNode model = t.path("model");
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new IllegalArgumentException(tokenizerJson + ": a WordPiece tokenizer.json is needed (BERT, MiniLM...), its model is '"
                    + model.path("type").asText() + "'");
        }
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        JsonNode norm = t.path("normalizer");
        boolean lower = norm.path("lowercase").asBoolean(true);
        // Hugging Face: strip_accents null means "as lowercase".
        boolean strip = norm.path("strip_accents").isNull() || norm.path("strip_accents").isMissingNode() ? lower : norm.path("strip_accents").asBoolean();
        int maxLength = t.path("truncation").isObject() ? t.path("truncation").path("max_length").asInt(512) : 512;
        return new WordPiece(vocab, model.path("unk_token").asText("[UNK]"), model.path("continuing_subword_prefix").asText("##"),
                model.path("max_input_chars_per_word").asInt(100), lower, strip, maxLength);
    }

    public int maxLength() {
        return maxLength;
    }

    public int id(String token) {
        Integer id = vocab.get(token);
        return id == null ? vocab.get(unk) : id;
    }

    /** {@code [CLS]} + the text's pieces (at most {@code maxLength - 2}) + {@code [SEP]}. */
    public Encoding encode(String text) {
        List<String> pieces = new ArrayList<>();
        for (String word : preTokenize(normalize(text))) {
            pieces.addAll(wordPieces(word));
        }
        if (pieces.size() > maxLength - 2) {
            pieces = pieces.subList(0, maxLength - 2);
        }
        List<String> tokens = new ArrayList<>(pieces.size() + 2);
        tokens.add("[CLS]");
        tokens.addAll(pieces);
        tokens.add("[SEP]");
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = id(tokens.get(i));
        }
        return new Encoding(ids, List.copyOf(tokens));
    }

    /** BertNormalizer: clean text, isolate CJK ideographs, strip accents, lowercase. */
    String normalize(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                b.append(' ');
            } else if (isCjk(cp)) {
                b.append(' ').appendCodePoint(cp).append(' ');
            } else {
                b.appendCodePoint(cp);
            }
        });
        String s = b.toString();
        if (stripAccents) {
            s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{Mn}", "");
        }
        return lowercase ? s.toLowerCase(java.util.Locale.ROOT) : s;
    }

    /** BertPreTokenizer: words between whitespace, each punctuation character a word of its own. */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (isWhitespace(cp)) {
                flush(w, words);
            } else if (isPunctuation(cp)) {
                flush(w, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                w.appendCodePoint(cp);
            }
        });
        flush(w, words);
        return words;
    }

    private static void flush(StringBuilder w, List<String> words) {
        if (w.length() > 0) {
            words.add(w.toString());
            w.setLength(0);
        }
    }

    /** Greedy longest-match-first; the whole word is {@code [UNK]} if any part cannot be matched. */
    List<String> wordPieces(String word) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > maxWordChars) {
            return List.of(unk);
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            int end = cps.length;
            String found = null;
            while (start < end) {
                String sub = new String(cps, start, end - start);
                if (start > 0) {
                    sub = prefix + sub;
                }
                if (vocab.containsKey(sub)) {
                    found = sub;
                    break;
                }
                end--;
            }
            if (found == null) {
                return List.of(unk);
            }
            out.add(found);
            start = end;
        }
        return out;
    }

    static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Unicode categories C* except tab, newline and carriage return (which are whitespace). */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.UNASSIGNED || t == Character.PRIVATE_USE || t == Character.SURROGATE;
    }

    /** ASCII symbols count as punctuation too (BERT's rule), and Unicode categories P*. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
