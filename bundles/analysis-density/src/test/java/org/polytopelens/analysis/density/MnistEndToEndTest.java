package org.polytopelens.analysis.density;

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
 * The density analysis in the real runner on the sample data: 1,000 MNIST digits through the
 * sample ReLU MLP (784-64-32-10, untrained) on ONNX Runtime, codes by the ReLU coder.
 */
class MnistEndToEndTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    Runner runner;
    OnnxRuntimeBackend backend;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("density", schemaOf(DensityAnalysis.Config.class), "npy", schemaOf(NpyDatasetProvider.Config.class),
                "relu", schemaOf(ReluCoder.Config.class), "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        backend = new OnnxRuntimeBackend(Map.of());
        add(registry, ModelBackend.class, backend);
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new NpyDatasetProvider());
        add(registry, Analysis.class, new DensityAnalysis());
        runner = new Runner(registry, List::of, 2);
    }

    JsonNode run(String models, String layer, String params) throws Exception {
        Path e = dir.resolve("exp.yaml");
        Files.writeString(e, "name: mnist-density\n" + models + "\n" + "dataset: {provider: npy, path: " + SAMPLES.resolve("data/mnist-1k.npy")
                + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\nlayer: \"" + layer + "\"\ncoders: [relu]\n"
                + "analyses:\n  - {id: density, params: " + params + "}\n");
        Path out = dir.resolve("out-" + layer);
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        assertTrue(r.steps().get(0).files().containsAll(List.of("density.json", "density-summary.json", "density-intra-inter.json")),
                r.steps().get(0).files().toString());
        JsonNode j = new ObjectMapper().readTree(out.resolve("density.json").toFile());
        return j;
    }

    @Test
    void untrainedMlpOnMnistInTheInputSpaceAndAfterTheFirstLayer() throws Exception {
        String model = "model: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx");
        JsonNode input = run(model, "", "{pairs: 20000, seed: 1}");
        JsonNode m = input.get("models").fields().next().getValue();
        assertEquals(96, m.get("code_bits").asInt(), "64 + 32 ReLU neurons downstream of the input");
        assertEquals(20000, m.get("pairs").asLong() + m.get("skipped").asLong());
        assertEquals(20000, m.get("intra").get("n").asLong() + m.get("inter").get("n").asLong());
        // About one pair in ten is same-class among ten balanced digits.
        assertEquals(0.1, m.get("intra").get("n").asDouble() / 20000, 0.02);
        for (String g : List.of("intra", "inter")) {
            JsonNode x = m.get(g);
            assertTrue(x.get("ci_low").asDouble() <= x.get("mean").asDouble() && x.get("mean").asDouble() <= x.get("ci_high").asDouble());
        }
        assertTrue(m.get("welch").get("p").asDouble() >= 0 && m.get("welch").get("p").asDouble() <= 1);

        JsonNode hidden = run(model, "relu1.out", "{pairs: 20000, seed: 1}");
        assertEquals(32, hidden.get("models").fields().next().getValue().get("code_bits").asInt());
    }

    @Test
    void twoRolesOfTheSameNetworkGiveTheSameNumbers() throws Exception {
        Path onnx = SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx");
        JsonNode j = run("models: {trained: " + onnx + ", untrained: " + onnx + "}", "", "{pairs: 3000, bootstrap: 1000, max_points: 500}");
        assertEquals(j.get("models").get("trained"), j.get("models").get("untrained"));
        assertEquals(500, j.get("points").asInt());
    }
}
