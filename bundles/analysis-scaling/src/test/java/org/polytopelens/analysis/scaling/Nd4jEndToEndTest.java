package org.polytopelens.analysis.scaling;

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
import org.polytopelens.backend.nd4j.Nd4jBackend;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.npy.NpyDatasetProvider;

/**
 * The sample MLP on the white-box ND4J backend (opened outside OSGi, as its own tests do): the
 * density comes from exact segment walks through both hidden layers, and a fine sampled grid on
 * the same rays never counts more (it is a lower bound) and misses little.
 */
class Nd4jEndToEndTest {
    static final Path SAMPLES = MnistEndToEndTest.SAMPLES;

    @TempDir
    Path dir;
    Runner runner;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("scaling", org.polytopelens.testkit.Registries.schemaOf(ScalingAnalysis.Config.class), "npy",
                org.polytopelens.testkit.Registries.schemaOf(NpyDatasetProvider.Config.class), "relu", org.polytopelens.testkit.Registries.schemaOf(ReluCoder.Config.class), "nd4j",
                org.polytopelens.testkit.Registries.schemaOf(Nd4jBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        org.polytopelens.testkit.Registries.add(registry, ModelBackend.class, new Nd4jBackend(Map.of()));
        org.polytopelens.testkit.Registries.add(registry, ActivationCoder.class, new ReluCoder());
        org.polytopelens.testkit.Registries.add(registry, DatasetProvider.class, new NpyDatasetProvider());
        org.polytopelens.testkit.Registries.add(registry, Analysis.class, new ScalingAnalysis());
        runner = new Runner(registry, List::of, 2);
    }

    JsonNode run(String name, String params) throws Exception {
        return run(name, "", params);
    }

    JsonNode run(String name, String layer, String params) throws Exception {
        Path e = dir.resolve(name + ".yaml");
        Files.writeString(e, "name: " + name + "\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\nbackend: nd4j\nlayer: \"" + layer
                + "\"\n"
                + "dataset: {provider: npy, path: " + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy")
                + "}\ncoders: [relu]\nanalyses:\n  - {id: scaling, params: " + params + "}\n");
        Path out = dir.resolve(name);
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        return new ObjectMapper().readTree(out.resolve("scaling.json").toFile()).get("models").fields().next().getValue();
    }

    @Test
    void exactWalksOnTheSampleMlp() throws Exception {
        long start = System.nanoTime();
        JsonNode m = run("exact", "{alpha_max: 3.0, steps: 60, examples: 100, seed: 1}");
        assertEquals("exact", m.get("method").asText());
        for (String kind : List.of("data", "noise")) {
            JsonNode k = m.get(kind);
            System.out.println("scaling (nd4j, exact), input space, " + kind + ": peak density " + k.get("peak_density").asDouble() + " at alpha "
                    + k.get("peak_alpha").asDouble() + "; density " + k.get("density_mean"));
        }
        System.out.println("exact run of 2 x 100 rays: " + (System.nanoTime() - start) / 1_000_000 + " ms");

        // The same 20 rays on a fine grid, exact and sampled: the sampled count is a lower bound and close on a fine grid.
        JsonNode exact = run("fine-exact", "{alpha_max: 3.0, steps: 600, examples: 20, noise: false}").get("data");
        JsonNode sampled = run("fine-sampled", "{alpha_max: 3.0, steps: 600, examples: 20, noise: false, exact: false}").get("data");
        double te = 0, ts = 0;
        for (int k = 0; k < 600; k++) {
            te += exact.get("density_mean").get(k).asDouble();
            ts += sampled.get("density_mean").get(k).asDouble();
        }
        assertTrue(te > 0);
        assertTrue(ts <= te * 1.005, "sampled " + ts + " > exact " + te + " (beyond float32 rounding of the grid points)");
        assertTrue(ts >= 0.9 * te, "sampled " + ts + " misses more than 10% of exact " + te);
        System.out.println("fine grid (600 steps, 20 rays): total density sampled " + ts + ", exact " + te);
        assertEquals(exact.get("true_logit_mean"), sampled.get("true_logit_mean"));
    }

    @Test
    void exactWalksFromTheFirstHiddenLayer() throws Exception {
        JsonNode m = run("hidden", "relu1.out", "{alpha_max: 3.0, steps: 60, examples: 100, seed: 1}");
        assertEquals("exact", m.get("method").asText());
        assertEquals(32, m.get("code_bits").asInt());
        for (String kind : List.of("data", "noise")) {
            JsonNode k = m.get(kind);
            assertEquals(100, k.get("rays").asInt());
            System.out.println("scaling (nd4j, exact), relu1.out, " + kind + ": peak density " + k.get("peak_density").asDouble() + " at alpha "
                    + k.get("peak_alpha").asDouble() + "; density " + k.get("density_mean") + "; sem " + k.get("density_sem"));
        }
    }
}
