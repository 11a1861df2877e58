package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
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
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;

/**
 * A real pretrained transformer, all-MiniLM-L6-v2 as exported from PyTorch (GELU as the Erf
 * subgraph), unpacked by the build into {@code target/minilm}. One model (one session per
 * distinct fetch set) is shared by all tests of the class: creating a session takes about a second.
 */
class MiniLmTest {
    static final Path DIR = Path.of(System.getProperty("minilm.dir", "target/minilm"));
    static final Path MODEL = DIR.resolve("all-minilm-l6-v2.onnx");
    static final Path TOKENIZER = DIR.resolve("all-minilm-l6-v2-tokenizer.json");
    static final int LAYERS = 6;
    static final int FFN = 1536;

    static Model model;
    static Map<String, Integer> vocab;

    @BeforeAll
    static void open() throws Exception {
        assertTrue(Files.isRegularFile(MODEL) && Files.isRegularFile(TOKENIZER), "no MiniLM in " + DIR.toAbsolutePath()
                + "; the build unpacks it there (mvn generate-test-resources)");
        vocab = vocabulary(TOKENIZER);
        long t0 = System.nanoTime();
        model = new OnnxRuntimeBackend(Map.of()).open(MODEL, Parameters.empty());
        System.out.printf(Locale.ROOT, "MiniLM opened (load check + 2 probe runs) in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    /** The WordPiece vocabulary: {@code model.vocab} of the tokenizer.json (token -> id). */
    static Map<String, Integer> vocabulary(Path tokenizer) throws Exception {
        JsonNode v = new ObjectMapper().readTree(tokenizer.toFile()).path("model").path("vocab");
        Map<String, Integer> map = new HashMap<>();
        v.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asInt()));
        return map;
    }

    /** {@code [CLS] words [SEP]} for sentences of whole-word tokens (lower case, no punctuation). */
    static List<Integer> ids(String sentence) {
        List<Integer> ids = new ArrayList<>(List.of(vocab.get("[CLS]")));
        for (String w : sentence.toLowerCase(Locale.ROOT).split(" ")) {
            Integer id = vocab.get(w);
            assertTrue(id != null, "'" + w + "' is not one token of the vocabulary");
            ids.add(id);
        }
        ids.add(vocab.get("[SEP]"));
        return ids;
    }

    /** The model's three token inputs for sentences padded (id 0, mask 0) to the longest. */
    static Map<String, Tensor> feeds(String... sentences) {
        List<List<Integer>> all = new ArrayList<>();
        int seq = 0;
        for (String s : sentences) {
            all.add(ids(s));
            seq = Math.max(seq, all.get(all.size() - 1).size());
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

    static String site(int layer) {
        return "/encoder/layer." + layer + "/intermediate/intermediate_act_fn/Div";
    }

    static String preactivation(int layer) {
        return "/encoder/layer." + layer + "/intermediate/dense/Add_output_0";
    }

    /** The GELU's output: the {@code Mul} that the FFN's output projection reads. */
    static String geluOutput(int layer) {
        return "/encoder/layer." + layer + "/intermediate/intermediate_act_fn/Mul_1_output_0";
    }

    @Test
    void infoListsTheTokenInputsAndSixPerTokenGeluSitesInLayerOrder() {
        long[] dynamic = {-1, -1};
        assertEquals(List.of(new TensorInfo("input_ids", "int64", dynamic), new TensorInfo("attention_mask", "int64", dynamic),
                new TensorInfo("token_type_ids", "int64", dynamic)), model.info().inputs());
        assertEquals(List.of(new TensorInfo("last_hidden_state", "float", new long[] {-1, -1, 384})), model.info().outputs());
        List<ActivationSite> expected = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            expected.add(new ActivationSite(site(l), "Gelu", GateKind.SOFT, preactivation(l), new long[] {FFN}, FFN,
                    Map.of("approximate", "none", "sequence_axis", 1L)));
        }
        assertEquals(expected, model.info().sites());
        assertTrue(model.info().tensors().contains(geluOutput(0)));
    }

    @Test
    void geluOutputsAreXTimesPhiOfTheFetchedPreactivations() throws Exception {
        Map<String, Tensor> in = feeds("the cat sat on the mat");
        assertEquals(List.of(101, 1996, 4937, 2938, 2006, 1996, 13523, 102), ids("the cat sat on the mat"));
        List<String> fetches = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            fetches.add(preactivation(l));
            fetches.add(geluOutput(l));
        }
        model.run(in, fetches); // the first run of a fetch set creates its session
        long t0 = System.nanoTime();
        Map<String, Tensor> out = model.run(in, fetches);
        System.out.printf(Locale.ROOT, "MiniLM forward of 8 tokens, 12 fetches: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        for (int l = 0; l < LAYERS; l++) {
            Tensor x = out.get(preactivation(l));
            Tensor y = out.get(geluOutput(l));
            assertArrayEquals(new long[] {1, 8, FFN}, x.shape());
            assertArrayEquals(new long[] {1, 8, FFN}, y.shape());
            int positive = 0;
            for (int i = 0; i < x.data().length; i++) {
                double v = x.data()[i];
                positive += v > 0 ? 1 : 0;
                assertEquals(v * Phi.phi(v), y.data()[i], 1e-5 * Math.max(1, Math.abs(v)), "layer " + l + " element " + i + " at x = " + v);
            }
            // a trained FFN: both regions occupied, neither almost everywhere
            assertTrue(positive > x.data().length / 20 && positive < x.data().length * 19 / 20, "layer " + l + ": " + positive + " positive");
        }
    }

    /** Mean-pooled, normalised token embeddings (sentence-transformers' pooling for this model). */
    static float[][] embeddings(String... sentences) throws Exception {
        Map<String, Tensor> in = feeds(sentences);
        Tensor h = model.run(in, List.of("last_hidden_state")).get("last_hidden_state");
        int seq = (int) h.shape()[1];
        int d = (int) h.shape()[2];
        float[] mask = in.get("attention_mask").data();
        float[][] e = new float[sentences.length][d];
        for (int b = 0; b < sentences.length; b++) {
            double norm = 0;
            double[] sum = new double[d];
            for (int k = 0; k < seq; k++) {
                for (int j = 0; j < d; j++) {
                    sum[j] += mask[b * seq + k] * h.data()[(b * seq + k) * d + j];
                }
            }
            for (double v : sum) {
                norm += v * v;
            }
            for (int j = 0; j < d; j++) {
                e[b][j] = (float) (sum[j] / Math.sqrt(norm));
            }
        }
        return e;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
        }
        return dot; // both have norm 1
    }

    @Test
    void similarSentencesHaveCloseEmbeddings() throws Exception {
        float[][] e = embeddings("the cat sat on the mat", "a kitten sits on the rug", "the stock market fell sharply today");
        double similar = cosine(e[0], e[1]);
        double dissimilar = cosine(e[0], e[2]);
        System.out.printf(Locale.ROOT, "MiniLM cosines: cat/kitten %.3f, cat/stock market %.3f%n", similar, dissimilar);
        assertTrue(similar > 0.5, "cat/kitten " + similar);
        assertTrue(dissimilar < 0.2 && dissimilar < similar - 0.4, "cat/stock market " + dissimilar);
    }

    /**
     * Padding masked out by the attention mask leaves the real tokens' pre-activations unchanged:
     * what lets a caller batch sentences of different lengths and drop the padding positions.
     */
    @Test
    void maskedPaddingDoesNotChangeTheRealTokens() throws Exception {
        List<String> fetch = List.of(preactivation(0), preactivation(5));
        Map<String, Tensor> alone = model.run(feeds("a dog"), fetch);
        Map<String, Tensor> padded = model.run(feeds("the cat sat on the mat", "a dog"), fetch);
        for (String t : fetch) {
            assertArrayEquals(new long[] {1, 4, FFN}, alone.get(t).shape());
            assertArrayEquals(new long[] {2, 8, FFN}, padded.get(t).shape());
            float[] a = alone.get(t).data();
            float[] p = padded.get(t).data();
            int offset = 8 * FFN; // the second sentence's first token
            for (int i = 0; i < 4 * FFN; i++) {
                assertEquals(a[i], p[offset + i], 1e-4 * Math.max(1, Math.abs(a[i])), t + " element " + i);
            }
        }
    }

    @Test
    void theIndependentPhiMatchesKnownValues() {
        assertEquals(0.5, Phi.phi(0), 1e-16);
        assertEquals(0.8413447460685429, Phi.phi(1), 1e-14);
        assertEquals(0.022750131948179195, Phi.phi(-2), 1e-14);
        assertEquals(2.209049699858544e-05, Phi.erfc(3), 1e-18); // where series and continued fraction meet
        assertEquals(2.209049699858544e-05, Phi.erfc(Math.nextDown(3.0)), 1e-13);
        assertEquals(2.866515718791939e-07, Phi.phi(-5), 1e-20);
    }

    /** Token ids travel as float32 Tensors; every integer up to 2^24 is exact there and in int64. */
    @Test
    void tokenIdsConvertToInt64Exactly() throws Exception {
        float[] ids = {0, 101, 102, 30521, (1 << 24) - 1, 1 << 24};
        try (OnnxTensor t = Tensors.toOrt(OrtEnvironment.getEnvironment(), "input_ids", new Tensor(new long[] {1, ids.length}, ids), OnnxJavaType.INT64)) {
            long[] back = new long[ids.length];
            t.getLongBuffer().get(back);
            assertArrayEquals(new long[] {0, 101, 102, 30521, (1 << 24) - 1, 1 << 24}, back);
            assertArrayEquals(new long[] {1, ids.length}, t.getInfo().getShape());
        }
    }
}
