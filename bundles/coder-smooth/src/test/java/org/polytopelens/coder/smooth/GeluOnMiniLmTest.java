package org.polytopelens.coder.smooth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;

/**
 * The gelu coder on a real pretrained transformer: all-MiniLM-L6-v2 (unpacked by the build into
 * {@code target/minilm}) opened by the ONNX Runtime backend. Its 6 FFN GELU sites are per-token
 * ({@code sequence_axis} 1): a fetched {@code [B, S, 1536]} pre-activation is B*S points of 1536
 * neurons, and padding positions (attention mask 0) are not points. The soft codes must equal
 * Phi(x), computed here independently of {@link Gates} (series and continued fraction instead of
 * Cody's rational approximation).
 */
class GeluOnMiniLmTest {
    static final Path DIR = Path.of(System.getProperty("minilm.dir", "target/minilm"));
    static final Path MODEL = DIR.resolve("all-minilm-l6-v2.onnx");
    static final Path TOKENIZER = DIR.resolve("all-minilm-l6-v2-tokenizer.json");

    static Model model;
    static Map<String, Integer> vocab = new HashMap<>();

    @BeforeAll
    static void open() throws Exception {
        assertTrue(Files.isRegularFile(MODEL) && Files.isRegularFile(TOKENIZER), "no MiniLM in " + DIR.toAbsolutePath()
                + "; the build unpacks it there (mvn generate-test-resources)");
        JsonNode v = new ObjectMapper().readTree(TOKENIZER.toFile()).path("model").path("vocab");
        v.fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        model = new OnnxRuntimeBackend(Map.of()).open(MODEL, Parameters.empty());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    /** Token inputs for sentences of whole-word tokens, [CLS] ... [SEP], padded with id 0 and mask 0. */
    static Map<String, Tensor> feeds(String... sentences) {
        List<List<Integer>> all = new ArrayList<>();
        int seq = 0;
        for (String s : sentences) {
            List<Integer> ids = new ArrayList<>(List.of(vocab.get("[CLS]")));
            for (String w : s.split(" ")) {
                assertTrue(vocab.containsKey(w), "'" + w + "' is not one token");
                ids.add(vocab.get(w));
            }
            ids.add(vocab.get("[SEP]"));
            all.add(ids);
            seq = Math.max(seq, ids.size());
        }
        float[] ids = new float[sentences.length * seq];
        float[] mask = new float[ids.length];
        for (int b = 0; b < all.size(); b++) {
            for (int k = 0; k < all.get(b).size(); k++) {
                ids[b * seq + k] = all.get(b).get(k);
                mask[b * seq + k] = 1;
            }
        }
        long[] shape = {sentences.length, seq};
        return Map.of("input_ids", new Tensor(shape, ids), "attention_mask", new Tensor(shape, mask),
                "token_type_ids", new Tensor(shape, new float[ids.length]));
    }

    /**
     * The points of a per-token site's fetched pre-activation {@code [B, S, d...]}: one per token
     * position whose mask is 1, in (sequence, position) order. The row-major data already has
     * that order, so this is a reshape plus dropping the padding rows.
     */
    static Tensor tokenPoints(ActivationSite site, Tensor pre, float[] mask) {
        assertEquals(1L, site.attributes().get("sequence_axis"), site.name());
        int width = Math.toIntExact(site.neurons());
        int positions = Math.toIntExact(pre.shape()[0] * pre.shape()[1]);
        assertEquals(positions, mask.length);
        assertEquals((long) positions * width, pre.data().length);
        int kept = 0;
        for (float m : mask) {
            kept += m != 0 ? 1 : 0;
        }
        float[] data = new float[kept * width];
        int r = 0;
        for (int p = 0; p < positions; p++) {
            if (mask[p] != 0) {
                System.arraycopy(pre.data(), p * width, data, r++ * width, width);
            }
        }
        return Tensor.batch(kept, site.shape(), data);
    }

    @Test
    void softCodesOfEveryGeluSiteArePhiOfThePreactivationsPerToken() throws Exception {
        List<ActivationSite> sites = model.info().sites();
        assertEquals(6, sites.size());
        GeluCoder gelu = new GeluCoder();
        Map<String, Tensor> in = feeds("the cat sat on the mat");
        Map<String, Tensor> pre = model.run(in, sites.stream().map(ActivationSite::preactivation).toList());
        double worst = 0;
        for (ActivationSite s : sites) {
            assertTrue(gelu.supports(s), s.toString());
            assertEquals(1536, s.neurons());
            Tensor points = tokenPoints(s, pre.get(s.preactivation()), in.get("attention_mask").data());
            assertArrayEquals(new long[] {8, 1536}, points.shape());
            SoftCodes soft = gelu.soft(s, points);
            SplineCodes hard = gelu.hard(s, points);
            assertEquals(8, soft.count());
            assertEquals(1536, soft.neurons());
            assertEquals(8, hard.count());
            assertEquals(1536, hard.bits());
            double maxError = 0;
            float[] x = points.data();
            for (int i = 0; i < x.length; i++) {
                maxError = Math.max(maxError, Math.abs(soft.p()[i] - phi(x[i])));
                assertEquals(x[i] > 0, hard.get(i / 1536, i % 1536), s.name() + " token " + i / 1536 + " neuron " + i % 1536);
            }
            assertTrue(maxError < 1e-6, s.name() + ": max |p - Phi(x)| = " + maxError);
            worst = Math.max(worst, maxError);
        }
        System.out.printf(Locale.ROOT, "MiniLM GELU soft codes: max |p - Phi(x)| = %.2e over 6 sites x 8 tokens x 1536%n", worst);
    }

    /** Padding is not a point: a padded batch gives exactly the points of its sentences run alone. */
    @Test
    void paddedBatchesGiveTheSameTokenCodesAsSingleSentences() throws Exception {
        ActivationSite s = model.info().sites().get(3);
        GeluCoder gelu = new GeluCoder();
        Map<String, Tensor> batch = feeds("the cat sat on the mat", "a dog");
        Tensor points = tokenPoints(s, model.run(batch, List.of(s.preactivation())).get(s.preactivation()),
                batch.get("attention_mask").data());
        assertArrayEquals(new long[] {8 + 4, 1536}, points.shape());
        SoftCodes together = gelu.soft(s, points);
        int row = 0;
        for (String sentence : List.of("the cat sat on the mat", "a dog")) {
            Map<String, Tensor> one = feeds(sentence);
            SoftCodes alone = gelu.soft(s, tokenPoints(s, model.run(one, List.of(s.preactivation())).get(s.preactivation()),
                    one.get("attention_mask").data()));
            for (int r = 0; r < alone.count(); r++, row++) {
                for (int k = 0; k < 1536; k++) {
                    assertEquals(alone.p()[r * 1536 + k], together.p()[row * 1536 + k], 1e-4,
                            String.format(Locale.ROOT, "'%s' token %d neuron %d", sentence, r, k));
                }
            }
        }
        assertEquals(12, row);
    }

    /** Phi(x) = erfc(-x / sqrt 2) / 2: erf's Taylor series for |z| &lt; 3, erfc's continued fraction beyond. */
    static double phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double erfc(double z) {
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z < 3) {
            double sum = 0;
            double term = z;
            for (int n = 0; n < 200 && Math.abs(term) > 1e-18; n++) {
                sum += term / (2 * n + 1);
                term *= -z * z / (n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = z;
        for (int k = 80; k >= 1; k--) {
            f = z + (k / 2.0) / f;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }

    @Test
    void theIndependentPhiMatchesKnownValues() {
        assertEquals(0.8413447460685429, phi(1), 1e-14);
        assertEquals(0.022750131948179195, phi(-2), 1e-14);
        assertEquals(2.209049699858544e-05, erfc(3), 1e-18);
        assertEquals(2.866515718791939e-07, phi(-5), 1e-20);
    }
}
