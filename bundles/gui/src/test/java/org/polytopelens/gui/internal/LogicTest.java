package org.polytopelens.gui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.core.ParameterInfo;

/** The window's logic without a display: experiment drafts, typed fields, state, run files, cluster listings. */
class LogicTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void everySampleExperimentRoundTripsThroughTheDraft() throws Exception {
        try (var files = Files.walk(SAMPLES.resolve("experiments"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                ExperimentDraft d = ExperimentDraft.parse(Files.readString(p));
                ExperimentDraft again = ExperimentDraft.parse(d.toYaml());
                assertEquals(d, again, p.toString());
                assertFalse(d.analyses().isEmpty(), p.toString());
            }
        }
        ExperimentDraft p2 = ExperimentDraft.parse(Files.readString(SAMPLES.resolve("experiments/paper/prediction-2-density.yaml")));
        assertEquals(Map.of("trained", "../../models/mnist-mlp.onnx", "untrained", "../../models/mnist-mlp-init.onnx"), p2.models());
        assertEquals("relu1.out", p2.analyses().get(1).layer());
        ExperimentDraft abs = p2.resolvedAgainst(SAMPLES.resolve("experiments/paper"));
        assertEquals(SAMPLES.resolve("models/mnist-mlp.onnx").toString(), abs.models().get("trained"));
        assertEquals(SAMPLES.resolve("data/mnist-10k-labels-idx1-ubyte.gz").toString(), abs.datasetParams().get("labels"));
        assertEquals("test", abs.datasetParams().get("split"), "not a path: unchanged");
    }

    @Test
    void fieldsParseByTheirSchemaType() {
        ParameterInfo pairs = new ParameterInfo("pairs", "Pairs", "", "integer", 0, false, List.of("20000"), List.of());
        assertEquals(5000, ParamText.parse(pairs, " 5000 ").value());
        assertEquals("pairs must be an integer, got 'abc'", ParamText.parse(pairs, "abc").error());
        assertNull(ParamText.parse(pairs, "").value());
        assertTrue(ParamText.parse(pairs, "").ok(), "blank: the default applies");
        ParameterInfo path = new ParameterInfo("path", "Path", "", "string", 0, true, List.of(), List.of());
        assertEquals("path is required", ParamText.parse(path, " ").error());
        ParameterInfo split = new ParameterInfo("split", "Split", "", "string", 0, false, List.of("all"), List.of("all", "train", "test"));
        assertTrue(ParamText.parse(split, "validation").error().contains("[all, train, test]"));
        ParameterInfo ex = new ParameterInfo("examples", "Examples", "", "integer", Integer.MAX_VALUE, false, List.of("0", "1", "2"), List.of());
        assertEquals(List.of(3, 4, 5), ParamText.parse(ex, "3, 4,5").value());
        assertEquals("0, 1, 2", ParamText.defaultText(ex));
        ParameterInfo alpha = new ParameterInfo("alpha", "Alpha", "", "double", 0, false, List.of(), List.of());
        assertEquals(0.5, ParamText.parse(alpha, "0.5").value());
        ParameterInfo soft = new ParameterInfo("soft", "Soft", "", "boolean", 0, false, List.of("false"), List.of());
        assertEquals("soft must be true or false, got 'yes'", ParamText.parse(soft, "yes").error());
    }

    @Test
    void stateIsSavedAtomicallyAndADamagedFileGivesTheDefaults() throws Exception {
        Path f = dir.resolve("gui/state.json");
        GuiState s = GuiState.defaults().withTheme("dark").withRecentExperiment(dir.resolve("a.yaml")).withRecentExperiment(dir.resolve("b.yaml"))
                .withRecentExperiment(dir.resolve("a.yaml"));
        s.save(f);
        GuiState back = GuiState.load(f);
        assertEquals(s, back);
        assertEquals(List.of(dir.resolve("a.yaml").toString(), dir.resolve("b.yaml").toString()), back.recentExperiments(), "most recent first, once");
        try (var files = Files.list(f.getParent())) {
            assertEquals(List.of(f), files.toList());
        }
        Files.writeString(f, "{ not json");
        assertEquals(GuiState.defaults(), GuiState.load(f));
        GuiState many = GuiState.defaults();
        for (int i = 0; i < 15; i++) {
            many = many.withRecentModel(dir.resolve("m" + i + ".onnx"));
        }
        assertEquals(GuiState.MAX_RECENT, many.recentModels().size());
    }

    @Test
    void publishedResultsReadBackAsTheirRecords() throws Exception {
        Path bar = dir.resolve("b.json");
        Files.writeString(bar, "{\"type\":\"BarPlot\",\"name\":\"b\",\"title\":\"T\",\"yLabel\":\"y\",\"categories\":[\"intra\",\"inter\"],\"series\":[\"m\"],"
                + "\"values\":[[0.7,1.0]],\"lower\":[[0.6,0.9]],\"upper\":[[0.8,1.1]]}");
        BarPlot b = (BarPlot) RunFiles.result(bar);
        assertEquals(List.of("intra", "inter"), b.categories());
        assertEquals(1.0, b.values()[0][1]);
        Path h = dir.resolve("h.json");
        Files.writeString(h, "{\"type\":\"Histogram\",\"name\":\"h\",\"title\":\"T\",\"xLabel\":\"x\",\"values\":[1,2,3],\"groups\":null,\"groupNames\":null,\"bins\":2}");
        assertEquals(3, ((Histogram) RunFiles.result(h)).values().length);
        Path other = dir.resolve("density.json");
        Files.writeString(other, "{\"models\": {}}");
        assertNull(RunFiles.result(other), "an analysis' own JSON is not a published result");
    }

    @Test
    void clusterListingsSplitByCluster() {
        Map<Integer, List<String>> m = ClusterBrowser.parse("# 2 clusters\n\ncluster 4: 3 points\n1\tthe [cat] sat\n2\ta [dog]\n\ncluster 0: 12 points, majority class 3 (90%)\n7\t#7\n");
        assertEquals(List.of(4, 0), List.copyOf(m.keySet()));
        assertEquals(List.of("1\tthe [cat] sat", "2\ta [dog]"), m.get(4));
        assertEquals(List.of("7\t#7"), m.get(0));
    }

    @Test
    void runStagesFollowTheRunJsonAsItIsRewritten() throws Exception {
        ExperimentDraft d = ExperimentDraft.parse(Files.readString(SAMPLES.resolve("experiments/paper/prediction-2-density.yaml")));
        List<String> labels = RunStages.labels(d);
        assertEquals(List.of("density (input)", "density (relu1)"), labels);
        assertEquals(List.of("running", "pending"), RunStages.of(labels, null, 40).stream().map(RunStages.Stage::status).toList());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"status\":\"incomplete\",\"steps\":[{\"status\":\"ok\",\"millis\":812}]}");
        List<RunStages.Stage> now = RunStages.of(labels, json, 10);
        assertEquals("\u2714 density (input) (812 ms)", now.get(0).toString());
        assertEquals("\u25b6 density (relu1) 10%", now.get(1).toString());
        Files.writeString(dir.resolve("run.json"), "{\"steps\":[{\"status\":\"ok\",\"millis\":1},{\"status\":\"failed\",\"millis\":2}]}");
        assertEquals(List.of("ok", "failed"), RunStages.of(labels, RunStages.read(dir), -1).stream().map(RunStages.Stage::status).toList());
        assertNull(RunStages.read(dir.resolve("nowhere")));
    }
}
