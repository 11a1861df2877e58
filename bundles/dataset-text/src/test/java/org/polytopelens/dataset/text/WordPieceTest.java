package org.polytopelens.dataset.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** all-MiniLM-L6-v2's own tokenizer.json (BERT uncased vocabulary, 30,522 tokens). */
class WordPieceTest {
    static final Path JSON = Path.of(System.getProperty("minilm.dir", "target/minilm"), "all-minilm-l6-v2-tokenizer.json");
    static WordPiece tok;
    static Map<String, Integer> vocab = new HashMap<>();

    @BeforeAll
    static void load() throws Exception {
        tok = WordPiece.read(JSON);
        new ObjectMapper().readTree(JSON.toFile()).path("model").path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    }

    @Test
    void knownIdsOfBertUncased() {
        // [CLS] hello , world ! [SEP] in bert-base-uncased, which MiniLM shares.
        assertArrayEquals(new int[] {101, 7592, 1010, 2088, 999, 102}, tok.encode("Hello, world!").ids());
        assertEquals(List.of("[CLS]", "hello", ",", "world", "!", "[SEP]"), tok.encode("Hello, world!").tokens());
        assertEquals(128, tok.maxLength());
    }

    @Test
    void wholeWordsAreTheirVocabularyIds() {
        WordPiece.Encoding e = tok.encode("The European Parliament adopted the resolution.");
        List<String> words = List.of("the", "european", "parliament", "adopted", "the", "resolution", ".");
        assertEquals(words, e.tokens().subList(1, e.tokens().size() - 1));
        for (int i = 0; i < words.size(); i++) {
            assertEquals(vocab.get(words.get(i)), e.ids()[i + 1], words.get(i));
        }
    }

    /** Greedy longest match: the pieces spell the word, each is in the vocabulary, and no longer piece exists at its start. */
    @Test
    void unknownWordsSplitIntoTheLongestPieces() {
        for (String word : List.of("unaffable", "polytopes", "interpretability", "superposition", "hyperplanes")) {
            List<String> pieces = tok.wordPieces(word);
            assertTrue(pieces.size() > 1, word + " -> " + pieces);
            StringBuilder spelled = new StringBuilder();
            int at = 0;
            for (int i = 0; i < pieces.size(); i++) {
                String p = pieces.get(i);
                assertTrue(vocab.containsKey(p), p);
                String bare = i == 0 ? p : p.substring(2);
                assertTrue(i == 0 || p.startsWith("##"), p);
                for (int end = word.length(); end > at + bare.length(); end--) {
                    String longer = (i == 0 ? "" : "##") + word.substring(at, end);
                    assertFalse(vocab.containsKey(longer), "a longer piece '" + longer + "' exists for " + word);
                }
                spelled.append(bare);
                at += bare.length();
            }
            assertEquals(word, spelled.toString());
        }
    }

    @Test
    void normalisationAccentsControlCharactersAndCjk() {
        assertArrayEquals(tok.encode("cafe deja vu").ids(), tok.encode("Café  Déjà\tVU").ids(), "accents stripped, lowercased, any whitespace");
        assertArrayEquals(tok.encode("ab").ids(), tok.encode("a\u0000b").ids(), "NUL removed");
        List<String> cjk = tok.encode("中国").tokens();
        assertEquals(List.of("[CLS]", "中", "国", "[SEP]"), cjk, "each ideograph a word");
        assertEquals(List.of("[CLS]", "[UNK]", "[SEP]"), tok.encode("x".repeat(101)).tokens(), "longer than 100 characters");
        assertEquals(List.of("[CLS]", "don", "'", "t", "[SEP]"), tok.encode("don't").tokens(), "punctuation isolated");
    }

    @Test
    void longTextsAreTruncatedToTheModelsLength() {
        WordPiece.Encoding e = tok.encode("word ".repeat(300));
        assertEquals(128, e.ids().length);
        assertEquals(101, e.ids()[0]);
        assertEquals(102, e.ids()[127]);
    }

    @Test
    void aTokenizerOfAnotherKindIsRefused(@TempDir Path dir) throws Exception {
        JsonNode bpe = new ObjectMapper().readTree("{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}");
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, bpe.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> WordPiece.read(f));
        assertTrue(e.getMessage().contains("a WordPiece tokenizer.json is needed"), e.getMessage());
    }
}
