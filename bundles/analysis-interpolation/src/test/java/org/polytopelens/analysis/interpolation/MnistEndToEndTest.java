package org.polytopelens.analysis.interpolation;

import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Progress;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.npy.NpyDatasetProvider;

/**
 * The interpolation analysis in the real runner on the sample data: MNIST digits through the
 * sample ReLU MLP (784-64-32-10, untrained) on ONNX Runtime (no exact geometry: sampled density
 * only), codes by the ReLU coder, in the input space and after the first hidden layer.
 */
class MnistEndToEndTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    Runner runner;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("interpolation", schemaOf(InterpolationAnalysis.Config.class), "npy",
                schemaOf(NpyDatasetProvider.Config.class), "relu", schemaOf(ReluCoder.Config.class), "onnxruntime",
                schemaOf(OnnxRuntimeBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new NpyDatasetProvider());
        add(registry, Analysis.class, new InterpolationAnalysis());
        runner = new Runner(registry, List::of, 2);
    }

    RunRecord run(String name, String layer, boolean labels, String params) throws Exception {
        Path e = dir.resolve(name + ".yaml");
        Files.writeString(e, "name: " + name + "\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + (labels ? ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") : "") + "}\nlayer: \""
                + layer + "\"\ncoders: [relu]\nanalyses:\n  - {id: interpolation, params: " + params + "}\n");
        return runner.run(e, dir.resolve(name), Progress.NONE, line -> {});
    }

    JsonNode ok(String name, String layer, String params) throws Exception {
        RunRecord r = run(name, layer, true, params);
        assertTrue(r.ok(), r.toString());
        assertTrue(r.steps().get(0).files().containsAll(List.of("interpolation.json", "interpolation-density.json", "interpolation-class.json")),
                r.steps().get(0).files().toString());
        return new ObjectMapper().readTree(dir.resolve(name).resolve("interpolation.json").toFile());
    }

    @Test
    void untrainedMlpOnMnist() throws Exception {
        long start = System.nanoTime();
        JsonNode j = ok("input", "", "{pairs: 20, steps: 20, samples: 50, seed: 1}");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(40, j.get("pair_indices").size());
        JsonNode m = j.get("models").fields().next().getValue();
        assertEquals("sampled", m.get("method").asText(), "ONNX Runtime has no exact geometry");
        assertEquals(96, m.get("code_bits").asInt());
        for (String kind : List.of("same_class", "different_class")) {
            JsonNode k = m.get(kind);
            assertEquals(20, k.get("pairs").asInt());
            assertEquals(21, k.get("sampled_mean").size());
            assertFalse(k.has("exact_mean"));
            for (JsonNode v : k.get("sampled_mean")) {
                assertTrue(v.asDouble() >= 0 && Double.isFinite(v.asDouble()), kind + ": " + k.get("sampled_mean"));
            }
            // At t = 0 and t = 1 the path is at a and b: the model's prediction for them, whatever it is.
            System.out.println("interpolation (onnxruntime, sampled), input space, " + kind + ": density " + k.get("sampled_mean") + "; a's class "
                    + k.get("predicts_class_a") + "; b's class " + k.get("predicts_class_b"));
        }
        System.out.println("40 paths x 21 positions x 50 samples in the input space: " + ms + " ms");

        JsonNode h = ok("hidden", "relu1.out", "{pairs: 20, steps: 20, samples: 50}").get("models").fields().next().getValue();
        assertEquals(32, h.get("code_bits").asInt());
        for (String kind : List.of("same_class", "different_class")) {
            System.out.println("interpolation (onnxruntime, sampled), relu1.out, " + kind + ": density " + h.get(kind).get("sampled_mean"));
        }
    }

    @Test
    void withoutLabelsTheRunFailsSayingSo() throws Exception {
        RunRecord r = run("unlabelled", "", false, "{pairs: 2, steps: 2, samples: 2}");
        assertFalse(r.ok());
        assertTrue(r.toString().contains("needs class labels"), r.toString());
        assertFalse(Files.exists(dir.resolve("unlabelled").resolve("interpolation.json")));
    }
}
