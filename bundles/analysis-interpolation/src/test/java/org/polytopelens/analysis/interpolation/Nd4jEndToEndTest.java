package org.polytopelens.analysis.interpolation;

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
 * exact density from walks along the path's chords next to the sampled one, on the same paths.
 */
class Nd4jEndToEndTest {
    static final Path SAMPLES = MnistEndToEndTest.SAMPLES;

    @TempDir
    Path dir;
    Runner runner;

    @BeforeEach
    void setUp() {
        Map<String, Schema> schemas = Map.of("interpolation", org.polytopelens.testkit.Registries.schemaOf(InterpolationAnalysis.Config.class), "npy",
                org.polytopelens.testkit.Registries.schemaOf(NpyDatasetProvider.Config.class), "relu", org.polytopelens.testkit.Registries.schemaOf(ReluCoder.Config.class), "nd4j",
                org.polytopelens.testkit.Registries.schemaOf(Nd4jBackend.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        org.polytopelens.testkit.Registries.add(registry, ModelBackend.class, new Nd4jBackend(Map.of()));
        org.polytopelens.testkit.Registries.add(registry, ActivationCoder.class, new ReluCoder());
        org.polytopelens.testkit.Registries.add(registry, DatasetProvider.class, new NpyDatasetProvider());
        org.polytopelens.testkit.Registries.add(registry, Analysis.class, new InterpolationAnalysis());
        runner = new Runner(registry, List::of, 2);
    }

    JsonNode run(String name, String layer, String params) throws Exception {
        Path e = dir.resolve(name + ".yaml");
        Files.writeString(e, "name: " + name + "\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\nbackend: nd4j\nlayer: \"" + layer
                + "\"\ndataset: {provider: npy, path: " + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: "
                + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\ncoders: [relu]\nanalyses:\n  - {id: interpolation, params: " + params + "}\n");
        Path out = dir.resolve(name);
        RunRecord r = runner.run(e, out, Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        return new ObjectMapper().readTree(out.resolve("interpolation.json").toFile()).get("models").fields().next().getValue();
    }

    static double mean(JsonNode a) {
        double s = 0;
        int m = 0;
        for (JsonNode v : a) {
            if (!v.isNull()) {
                s += v.asDouble();
                m++;
            }
        }
        return s / m;
    }

    @Test
    void exactAndSampledOnTheSampleMlp() throws Exception {
        for (String layer : List.of("", "relu1.out")) {
            long start = System.nanoTime();
            JsonNode m = run("exact" + layer.replace('.', '-'), layer, "{pairs: 20, steps: 20, samples: 50, seed: 1}");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("exact and sampled", m.get("method").asText());
            for (String kind : List.of("same_class", "different_class")) {
                JsonNode k = m.get(kind);
                assertEquals(20, k.get("pairs").asInt());
                assertEquals(20, k.get("exact_mean").size());
                double s = mean(k.get("sampled_mean")), x = mean(k.get("exact_mean"));
                assertTrue(s > 0 && x > 0, kind + ": sampled " + s + ", exact " + x);
                assertTrue(s / x > 0.1 && s / x < 10, layer + " " + kind + ": sampled " + s + " and exact " + x + " differ by more than 10x");
                System.out.println("interpolation (nd4j), '" + layer + "', " + kind + ": mean density sampled " + s + ", exact " + x + "; exact "
                        + k.get("exact_mean") + "; sampled " + k.get("sampled_mean"));
            }
            System.out.println("nd4j run of 40 paths, layer '" + layer + "': " + ms + " ms");
        }
    }
}
