package org.polytopelens.analysis.clusters;

import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Progress;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.cluster.hdbscan.HdbscanClustering;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.npy.NpyDatasetProvider;

/**
 * The clustering analysis in the real runner on the sample data: MNIST digits through the sample
 * ReLU MLP (784-64-32-10, untrained) on ONNX Runtime, codes by the ReLU coder, HDBSCAN* by the
 * real plugin.
 */
class MnistEndToEndTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    Runner runner;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("clusters", schemaOf(ClusterAnalysis.Config.class), "npy", schemaOf(NpyDatasetProvider.Config.class),
                "relu", schemaOf(ReluCoder.Config.class), "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new NpyDatasetProvider());
        add(registry, Analysis.class, new ClusterAnalysis(List.of(new HdbscanClustering())));
        runner = new Runner(registry, List::of, 2);
    }

    Path run(String name, String layer, String params) throws Exception {
        Path e = dir.resolve(name + ".yaml");
        Files.writeString(e, "name: mnist-clusters\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\nlayer: \"" + layer
                + "\"\ncoders: [relu]\nanalyses:\n  - {id: clusters, params: " + params + "}\n");
        Path out = dir.resolve(name);
        long t0 = System.nanoTime();
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        System.out.printf("clusters %s (layer '%s', %s): %.2f s%n", name, layer, params, (System.nanoTime() - t0) / 1e9);
        assertTrue(r.ok(), r.toString());
        assertTrue(r.steps().get(0).files().containsAll(List.of("clusters.json", "clusters.npy", "clusters-examples.txt", "clusters-summary.json")),
                r.steps().get(0).files().toString());
        return out;
    }

    @Test
    void codesOfTheUntrainedMlpOnMnist() throws Exception {
        // min_samples 2: with the default (= min cluster size) the untrained net's codes are all noise at this size (tested below).
        Path out = run("codes", "", "{max_points: 500, min_samples: 2, gallery: 10}");
        JsonNode m = new ObjectMapper().readTree(out.resolve("clusters.json").toFile()).get("models").fields().next().getValue();
        System.out.println("clusters codes input: " + m);
        assertEquals(96, m.get("code_bits").asInt(), "64 + 32 ReLU bits");
        int clusters = m.get("clusters").asInt(), noise = m.get("noise").asInt();
        assertTrue(clusters >= 2, "clusters " + clusters);
        int sum = noise;
        for (JsonNode c : m.get("cluster_list")) {
            sum += c.get("size").asInt();
            double purity = c.get("purity").asDouble();
            assertTrue(purity > 0 && purity <= 1, c.toString());
            assertTrue(c.get("mean_distance").asDouble() > 0, c.toString());
        }
        assertEquals(500, sum, "every point in one cluster or noise");
        double ari = m.get("adjusted_rand_index").asDouble();
        assertTrue(ari > -0.5 && ari <= 1, "ARI " + ari);

        BufferedImage img = ImageIO.read(out.resolve("clusters-gallery.png").toFile());
        int[] size = Gallery.size(Math.min(ClusterAnalysis.SHOWN, clusters), 10, 28, 28);
        assertEquals(size[0], img.getWidth());
        assertEquals(size[1], img.getHeight());
        int dark = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = Gallery.CAPTION; x < img.getWidth(); x++) {
                dark += (img.getRGB(x, y) & 0xff) < 64 ? 1 : 0;
            }
        }
        assertTrue(dark > 1000, "dark pixels in the tiles: " + dark);
        Files.copy(out.resolve("clusters-gallery.png"), Path.of("target/mnist-clusters-gallery.png"), StandardCopyOption.REPLACE_EXISTING);
        String text = Files.readString(out.resolve("clusters-examples.txt"));
        assertTrue(text.startsWith("# " + clusters + " clusters, " + noise + " noise points of 500"), text);
    }

    /** Every point noise is a result, not an error: empty cluster list, ARI 0, no gallery. */
    @Test
    void allNoise() throws Exception {
        Path out = run("noise", "", "{max_points: 300}");
        JsonNode m = new ObjectMapper().readTree(out.resolve("clusters.json").toFile()).get("models").fields().next().getValue();
        assertEquals(0, m.get("clusters").asInt(), m.toString());
        assertEquals(300, m.get("noise").asInt());
        assertEquals(0, m.get("adjusted_rand_index").asDouble(), 0);
        assertTrue(Files.notExists(out.resolve("clusters-gallery.png")));
    }

    @Test
    void activationsOfTheFirstHiddenLayer() throws Exception {
        Path out = run("hidden", "relu1.out", "{space: activations, metric: cosine, max_points: 300, min_cluster_size: 5}");
        JsonNode m = new ObjectMapper().readTree(out.resolve("clusters.json").toFile()).get("models").fields().next().getValue();
        System.out.println("clusters activations relu1.out: " + m);
        assertEquals(64, m.get("dimension").asInt());
        assertEquals("cosine (1 - cosine similarity)", m.get("distance").asText());
        assertTrue(m.get("clusters").asInt() >= 1, m.toString());
        assertTrue(Files.exists(out.resolve("clusters-gallery.png")), "the gallery shows the dataset's images, whatever the layer");
    }
}
