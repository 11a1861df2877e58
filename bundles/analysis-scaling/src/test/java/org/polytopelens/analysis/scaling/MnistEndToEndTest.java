package org.polytopelens.analysis.scaling;

import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The scaling analysis in the real runner on the sample data: MNIST digits through the sample
 * ReLU MLP (784-64-32-10, untrained) on ONNX Runtime (no exact geometry: sampled density), codes
 * by the ReLU coder, in the input space and after the first hidden layer.
 */
class MnistEndToEndTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    Runner runner;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("scaling", schemaOf(ScalingAnalysis.Config.class), "npy", schemaOf(NpyDatasetProvider.Config.class),
                "relu", schemaOf(ReluCoder.Config.class), "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new NpyDatasetProvider());
        add(registry, Analysis.class, new ScalingAnalysis());
        runner = new Runner(registry, List::of, 2);
    }

    JsonNode run(String layer, String params) throws Exception {
        Path e = dir.resolve("exp.yaml");
        Files.writeString(e, "name: mnist-scaling\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\nlayer: \"" + layer
                + "\"\ncoders: [relu]\nanalyses:\n  - {id: scaling, params: " + params + "}\n");
        Path out = dir.resolve("out-" + layer);
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        assertTrue(r.steps().get(0).files().containsAll(List.of("scaling.json", "scaling-density.json", "scaling-logits.json")),
                r.steps().get(0).files().toString());
        return new ObjectMapper().readTree(out.resolve("scaling.json").toFile());
    }

    @Test
    void untrainedMlpOnMnist() throws Exception {
        JsonNode j = run("", "{alpha_max: 3.0, steps: 60, examples: 100, seed: 1}");
        assertEquals(100, j.get("examples").asInt());
        assertEquals(61, j.get("alpha").size());
        JsonNode m = j.get("models").fields().next().getValue();
        assertEquals("sampled", m.get("method").asText(), "ONNX Runtime has no exact geometry");
        assertEquals(96, m.get("code_bits").asInt());
        for (String kind : List.of("data", "noise")) {
            JsonNode k = m.get(kind);
            assertEquals(100, k.get("rays").asInt());
            assertEquals(60, k.get("density_mean").size());
            double peak = k.get("peak_alpha").asDouble();
            assertTrue(peak > 0 && peak < 3, kind + " peak at " + peak);
            // At alpha = 1 the prediction is the unscaled one, by definition.
            assertEquals(1.0, k.get("prediction_unchanged").get(20).asDouble(), 0);
            System.out.println("scaling, input space, " + kind + ": peak density " + k.get("peak_density").asDouble() + " at alpha " + peak
                    + "; density " + k.get("density_mean"));
        }
        JsonNode hidden = run("relu1.out", "{alpha_max: 3.0, steps: 30, examples: 40, noise: false}");
        JsonNode h = hidden.get("models").fields().next().getValue();
        assertEquals(32, h.get("code_bits").asInt());
        System.out.println("scaling, relu1.out, data: peak density " + h.get("data").get("peak_density").asDouble() + " at alpha "
                + h.get("data").get("peak_alpha").asDouble() + "; density " + h.get("data").get("density_mean"));
    }
}
