package org.polytopelens.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.Progress;
import org.polytopelens.core.RunRecord;

class RunnerTest {
    @TempDir
    Path dir;
    TestPlugins.TinyBackend backend = new TestPlugins.TinyBackend();
    TestPlugins.CodesTxt codes = new TestPlugins.CodesTxt();
    Registry registry;
    Runner runner;
    List<String> log = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        registry = TestPlugins.registry(TestPlugins.schemas(), backend, new TestPlugins.SignCoder(), new TestPlugins.LinesDataset(), codes,
                new TestPlugins.Boom(), new TestPlugins.Slow(), new TestPlugins.TxtViz());
        runner = new Runner(registry, () -> List.of(Map.of("symbolicName", "test.bundle", "version", "1.0.0", "state", "ACTIVE")), 2);
        Files.createDirectories(dir.resolve("exp/models"));
        Files.writeString(dir.resolve("exp/models/mlp.tiny"), "weights are in the test");
        Files.writeString(dir.resolve("exp/points.txt"), "1 2\n-1 0.5\n2 0\n0 0\n3 1\n");
    }

    Path experiment(String yaml) throws Exception {
        Path p = dir.resolve("exp/e.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    static final String BASE = """
            name: tiny-codes
            model: models/mlp.tiny
            dataset: {provider: lines, path: points.txt}
            """;

    @Test
    void visualizerParametersComeFromTheExperimentAndAreValidated() throws Exception {
        Path e = experiment(BASE + """
                visualizers: {txt: {suffix: text}}
                analyses: [codes-txt]
                """);
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertEquals(List.of("codes.txt", "summary.json", "summary.text"), r.steps().get(0).files());

        Path bad = experiment(BASE + """
                visualizers: {charts: {}, txt: {colour: red}}
                analyses: [codes-txt]
                """);
        var ex = assertThrows(IllegalArgumentException.class, () -> runner.validate(bad));
        assertTrue(ex.getMessage().contains("charts") && ex.getMessage().contains("txt"), ex.getMessage());
        assertTrue(ex.getMessage().contains("colour") && ex.getMessage().contains("suffix"), ex.getMessage());
    }

    /** hash_inputs: false leaves the SHA-256 out of run.json (paths and sizes stay); anything but a boolean is refused. */
    @Test
    void inputHashesCanBeLeftOut() throws Exception {
        Path e = experiment(BASE + """
                hash_inputs: false
                analyses: [codes-txt]
                """);
        assertEquals("ok", runner.run(e, dir.resolve("out"), Progress.NONE, log::add).status());
        JsonNode in = AtomicResultSink.JSON.readTree(dir.resolve("out/run.json").toFile()).get("inputs");
        assertEquals(2, in.size());
        for (JsonNode i : in) {
            assertTrue(i.get("bytes").asLong() > 0 && !i.has("sha256"), i.toString());
        }
        Path bad = experiment(BASE + """
                hash_inputs: nope
                analyses: [codes-txt]
                """);
        var ex = assertThrows(IllegalArgumentException.class, () -> runner.validate(bad));
        assertTrue(ex.getMessage().contains("hash_inputs: expected true"), ex.getMessage());
    }

    @Test
    void runsStepsAndRecordsEverything() throws Exception {
        Path e = experiment(BASE + """
                analyses:
                  - {id: codes-txt, params: {batch_size: 2}}
                  - boom
                  - {id: codes-txt}
                """);
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertEquals("failed", r.status());
        assertEquals(List.of("ok", "failed", "ok"), r.steps().stream().map(RunRecord.StepRecord::status).toList());
        assertEquals("boom on purpose", r.steps().get(1).error());
        assertEquals(List.of("partial.txt"), r.steps().get(1).files());
        assertEquals(List.of("codes.txt", "summary.json", "summary.txt"), r.steps().get(0).files());
        // relu1 (3 bits) then relu2 (2 bits), computed by hand in TestPlugins' weights
        assertEquals("11010\n01000\n10110\n00000\n11110\n", Files.readString(dir.resolve("out/codes.txt")));
        assertTrue(backend.opened.get(0).closed, "models are closed after the run");

        JsonNode j = AtomicResultSink.JSON.readTree(dir.resolve("out/run.json").toFile());
        assertEquals("tiny-codes", j.get("name").asText());
        assertEquals(e.toAbsolutePath().toString(), j.get("experiment").asText());
        assertEquals(Files.readString(e), j.get("experimentText").asText());
        assertEquals("failed", j.get("status").asText());
        assertTrue(j.get("error").isNull());
        assertEquals(3, j.get("steps").size());
        assertEquals("codes-txt", j.get("steps").get(0).get("analysis").asText());
        assertEquals(2, j.get("steps").get(0).get("params").get("batch.size").asInt());
        assertEquals("boom on purpose", j.get("steps").get(1).get("error").asText());
        assertTrue(j.get("steps").get(1).get("millis").isNumber());
        assertEquals("test.bundle", j.get("bundles").get(0).get("symbolicName").asText());
        assertEquals("tiny", j.get("models").get(0).get("backend").asText());
        JsonNode in = j.get("inputs");
        assertEquals("model:model", in.get(0).get("role").asText());
        assertEquals(Runner.sha256(dir.resolve("exp/models/mlp.tiny")), in.get(0).get("sha256").asText());
        assertEquals("dataset", in.get(1).get("role").asText());
        assertEquals(dir.resolve("exp/points.txt").toString(), in.get(1).get("path").asText());
        assertEquals(Runner.sha256(dir.resolve("exp/points.txt")), in.get(1).get("sha256").asText());
        assertEquals(dir.resolve("exp/points.txt").toString(), j.get("dataset").get("params").get("path").asText(),
                "paths resolved against the experiment's directory");
        JsonNode sites = j.get("encoders").get(0).get("sites");
        assertEquals("relu2", sites.get(1).get("site").asText());
        assertEquals(3, sites.get(1).get("offset").asInt());
        assertEquals("sign", sites.get(1).get("coder").asText());
        assertTrue(Instant(j.get("started").asText()) <= Instant(j.get("finished").asText()));
        try (var files = Files.list(dir.resolve("out"))) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".tmp")));
        }
    }

    private static long Instant(String iso) {
        return java.time.Instant.parse(iso).toEpochMilli();
    }

    @Test
    void layerSpaceCodesOnlyDownstreamSites() throws Exception {
        Path e = experiment(BASE + "layer: h1\nanalyses: [codes-txt]\n");
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertTrue(r.ok(), r.toString());
        assertEquals("10\n00\n10\n00\n10\n", Files.readString(dir.resolve("out/codes.txt")));
    }

    /** Steps with their own layer and name: a per-layer sweep in one experiment, each step's files in its directory. */
    @Test
    void namedStepsWithTheirOwnLayersWriteIntoTheirDirectories() throws Exception {
        Path e = experiment(BASE + """
                analyses:
                  - {id: codes-txt, name: input}
                  - {id: codes-txt, name: h1, layer: h1}
                """);
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertTrue(r.ok(), r.toString());
        assertEquals("11010\n01000\n10110\n00000\n11110\n", Files.readString(dir.resolve("out/input/codes.txt")));
        assertEquals("10\n00\n10\n00\n10\n", Files.readString(dir.resolve("out/h1/codes.txt")), "as layerSpaceCodesOnlyDownstreamSites");
        assertEquals(List.of("h1/codes.txt", "h1/summary.json", "h1/summary.txt"), r.steps().get(1).files());
        assertTrue(Files.readString(dir.resolve("out/run.json")).contains("\"h1/codes.txt\""));

        var x = assertThrows(IllegalArgumentException.class, () -> runner.validate(experiment(BASE + """
                analyses:
                  - {id: codes-txt, name: a}
                  - {id: codes-txt, name: a}
                  - {id: codes-txt, name: "../up"}
                """)));
        assertTrue(x.getMessage().contains("'a' names another step too") && x.getMessage().contains("a directory name of letters"), x.getMessage());
    }

    @Test
    void explicitSitesKeepGraphOrder() throws Exception {
        Path e = experiment(BASE + "sites: [relu2, relu1]\ncoders: [sign]\nanalyses: [codes-txt]\n");
        assertTrue(runner.run(e, dir.resolve("out"), Progress.NONE, log::add).ok());
        assertEquals("11010\n01000\n10110\n00000\n11110\n", Files.readString(dir.resolve("out/codes.txt")));

        Path bad = experiment(BASE + "layer: h1\nsites: [relu1, nope]\nanalyses: [codes-txt]\n");
        RunRecord r = runner.run(bad, dir.resolve("out2"), Progress.NONE, log::add);
        assertEquals("failed", r.steps().get(0).status());
        assertTrue(r.steps().get(0).error().contains("site 'relu1' is not downstream of layer 'h1'"), r.steps().get(0).error());
        assertTrue(r.steps().get(0).error().contains("no activation site 'nope'"), r.steps().get(0).error());
    }

    @Test
    void validationListsEveryProblemAndTheValidChoices() throws Exception {
        Path e = experiment("""
                model: models/missing.tiny
                backend: onnx
                dataset: {provider: lines, path: nowhere.txt, limit: many}
                coders: [relu]
                analyses:
                  - {id: codes-txt, params: {batch_size: 0.5, colour: red}}
                  - {id: cluster}
                """);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> runner.validate(e));
        String m = x.getMessage();
        assertTrue(m.contains("no backend 'onnx'; valid backend ids: [tiny]"), m);
        assertTrue(m.contains("model file not found: " + dir.resolve("exp/models/missing.tiny")), m);
        assertTrue(m.contains("'limit': expected a whole number") || m.contains("'limit': expected integer"), m);
        assertTrue(m.contains("dataset file not found: " + dir.resolve("exp/nowhere.txt")), m);
        assertTrue(m.contains("no coder 'relu'; valid coder ids: [sign]"), m);
        assertTrue(m.contains("unknown parameter 'colour'"), m);
        assertTrue(m.contains("'batch_size': expected a whole number"), m);
        assertTrue(m.contains("valid parameters: batch_size (integer, default 2)"), m);
        assertTrue(m.contains("no analysis 'cluster'; valid analysis ids: [boom, codes-txt, slow]"), m);
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void parseErrorsAreCollected() throws Exception {
        Path e = experiment("""
                modle: x.tiny
                dataset: lines
                analyses: []
                """);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> runner.validate(e));
        String m = x.getMessage();
        assertTrue(m.contains("unknown key 'modle'; valid keys: [name, model, models, backend, dataset"), m);
        assertTrue(m.contains("missing 'model: FILE'"), m);
        assertTrue(m.contains("missing 'dataset: {provider: ID"), m);
        assertTrue(m.contains("missing 'analyses:"), m);
        assertThrows(IllegalArgumentException.class, () -> runner.validate(experiment("a: [unclosed")));
    }

    @Test
    void modelsByRoleAndBackendByPriority() throws Exception {
        Files.writeString(dir.resolve("exp/models/untrained.tiny"), "other");
        Path e = experiment("""
                models: {trained: models/mlp.tiny, untrained: models/untrained.tiny}
                dataset: {provider: lines, path: points.txt, limit: 2}
                analyses: [codes-txt]
                """);
        Experiment parsed = Experiment.parse(Files.readString(e), e);
        assertEquals(List.of("trained", "untrained"), List.copyOf(parsed.models().keySet()));
        assertEquals("e", parsed.name());
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertTrue(r.ok());
        assertEquals("11010\n01000\n", Files.readString(dir.resolve("out/codes.txt")));
        JsonNode j = AtomicResultSink.JSON.readTree(dir.resolve("out/run.json").toFile());
        assertEquals(3, j.get("inputs").size());
        assertEquals("model:untrained", j.get("inputs").get(1).get("role").asText());

        Files.writeString(dir.resolve("exp/model.onnx"), "x");
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> runner.validate(experiment("model: model.onnx\ndataset: {provider: lines, path: points.txt}\nanalyses: [slow]\n")));
        assertTrue(x.getMessage().contains("no backend can open") && x.getMessage().contains("tiny (priority -1)"), x.getMessage());
    }

    @Test
    void timeLimitFailsTheStepAndCancellationStopsTheRun() throws Exception {
        Path e = experiment(BASE + """
                analyses:
                  - {id: slow, time_limit_seconds: 1}
                  - codes-txt
                """);
        long t0 = System.nanoTime();
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        assertEquals("failed", r.steps().get(0).status());
        assertEquals("time limit of 1 s exceeded", r.steps().get(0).error());
        assertEquals("ok", r.steps().get(1).status());

        AtomicBoolean cancel = new AtomicBoolean();
        Progress p = new Progress() {
            @Override
            public void report(double f, String m) {}

            @Override
            public boolean cancelled() {
                return cancel.get();
            }
        };
        Thread t = new Thread(() -> {
            TestPlugins.Slow.class.getName();
            EngineTest.sleep(300);
            cancel.set(true);
        });
        t.start();
        RunRecord c = runner.run(experiment(BASE + "analyses: [slow, codes-txt]\n"), dir.resolve("out2"), p, log::add);
        t.join();
        assertEquals(List.of("cancelled", "cancelled"), c.steps().stream().map(RunRecord.StepRecord::status).toList());
        assertEquals("not run: the run was cancelled", c.steps().get(1).error());
        assertTrue(Files.exists(dir.resolve("out2/run.json")));
    }

    @Test
    void aProviderThatVanishesFailsOnlyItsStep() throws Exception {
        Path e = experiment(BASE + "analyses: [boom, codes-txt]\n");
        Analysis boom = registry.provider(Analysis.class, "boom");
        Runner.Plan plan = runner.plan(e, Files.readString(e));
        assertEquals(2, plan.steps().size());
        registry.remove(Analysis.class, boom); // gone between validation and the step
        // validation would now reject it; drive the step loop through a plan made before
        RunRecord r = new Runner(registry, List::of, 1) {
            @Override
            Plan plan(Path file, String text) {
                return plan;
            }
        }.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertEquals("failed", r.steps().get(0).status());
        assertEquals("no analysis 'boom'; valid analysis ids: [codes-txt, slow]", r.steps().get(0).error());
        assertEquals("ok", r.steps().get(1).status());
    }

    /** --resume: a finished step is reused (its file untouched), a failed one runs again; another experiment is refused. */
    @Test
    void resumeReusesFinishedStepsOfTheSameExperiment() throws Exception {
        Path e = experiment(BASE + "analyses: [codes-txt, boom]\n");
        Path out = dir.resolve("out");
        RunRecord first = runner.run(e, out, Progress.NONE, log::add);
        assertEquals(List.of("ok", "failed"), first.steps().stream().map(RunRecord.StepRecord::status).toList());
        List<String> files = first.steps().get(0).files();
        assertFalse(files.isEmpty());
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(out.resolve(files.get(0)));
        EngineTest.sleep(1100); // file times have a resolution of a second on some file systems
        log.clear();
        RunRecord second = runner.run(e, out, Progress.NONE, log::add, true);
        assertEquals(List.of("ok", "failed"), second.steps().stream().map(RunRecord.StepRecord::status).toList());
        assertEquals(files, second.steps().get(0).files());
        assertEquals(written, Files.getLastModifiedTime(out.resolve(files.get(0))), "the reused step's file was not rewritten");
        assertTrue(log.stream().anyMatch(l -> l.contains("[codes-txt] reused from the earlier run")), log.toString());
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"reused\" : true"));
        // Another experiment in the same directory is refused.
        Path other = experiment(BASE + "analyses: [codes-txt]\n");
        var x = assertThrows(IllegalArgumentException.class, () -> runner.run(other, out, Progress.NONE, log::add, true));
        assertTrue(x.getMessage().contains("holds a run of another experiment"), x.getMessage());
    }

    /**
     * A run stopped half way (here: cancelled during its second step) has recorded the first in
     * run.json as it finished; --resume then reuses it and runs the rest.
     */
    @Test
    void aRunStoppedHalfWayCanBeResumed() throws Exception {
        Path e = experiment(BASE + """
                analyses:
                  - codes-txt
                  - {id: slow, params: {millis: 400}}
                """);
        Path out = dir.resolve("out");
        AtomicBoolean cancel = new AtomicBoolean();
        Progress p = new Progress() {
            @Override
            public void report(double f, String m) {}

            @Override
            public boolean cancelled() {
                return cancel.get();
            }
        };
        String[] seenDuringSlow = new String[1];
        Thread watcher = new Thread(() -> {
            EngineTest.sleep(150);
            try {
                seenDuringSlow[0] = Files.readString(out.resolve("run.json"));
            } catch (java.io.IOException x) {
                seenDuringSlow[0] = x.toString();
            }
            cancel.set(true);
        });
        watcher.start();
        RunRecord stopped = runner.run(e, out, p, log::add);
        watcher.join();
        assertTrue(seenDuringSlow[0].contains("\"incomplete\"") && seenDuringSlow[0].contains("codes-txt"), seenDuringSlow[0]);
        assertEquals(List.of("ok", "cancelled"), stopped.steps().stream().map(RunRecord.StepRecord::status).toList());
        RunRecord resumed = runner.run(e, out, Progress.NONE, log::add, true);
        assertEquals(List.of("ok", "ok"), resumed.steps().stream().map(RunRecord.StepRecord::status).toList());
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"reused\" : true"));
    }

    /** A temporary file still being written when the JVM stops is deleted by the shutdown hook. */
    @Test
    void partialFilesAreAbandonedAtShutdown() throws Exception {
        Path target = dir.resolve("half.bin");
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                AtomicResultSink.writeAtomically(target, o -> {
                    o.write(new byte[1000]);
                    writing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                    }
                    throw new java.io.IOException("stopped");
                });
            } catch (java.io.IOException expected) {
                // the write was abandoned
            }
        });
        writer.start();
        writing.await();
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file is being written");
        }
        assertEquals(1, AtomicResultSink.abandonInFlight(), "what the shutdown hook does");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no partial file left");
        }
        release.countDown();
        writer.join();
        assertFalse(Files.exists(target));
    }

    /** Uninstalling a plugin while its step runs (hot undeploy) fails that step; the run and the next step go on. */
    @Test
    void aPluginRemovedWhileItsStepRunsFailsThatStep() throws Exception {
        Path e = experiment(BASE + """
                analyses:
                  - {id: slow, params: {millis: 1500}}
                  - codes-txt
                """);
        Analysis slow = registry.provider(Analysis.class, "slow");
        Thread remover = new Thread(() -> {
            EngineTest.sleep(300);
            registry.remove(Analysis.class, slow);
        });
        remover.start();
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        remover.join();
        assertEquals("failed", r.steps().get(0).status());
        assertTrue(r.steps().get(0).error().contains("the plugin providing analysis 'slow' was removed while its step ran"), r.steps().get(0).error());
        assertEquals("ok", r.steps().get(1).status());
        assertTrue(Files.exists(dir.resolve("out/run.json")));
    }

    @Test
    void setupFailureIsRecorded() throws Exception {
        Files.writeString(dir.resolve("exp/points.txt"), "1 2\nnot-a-number 3\n");
        RunRecord r = runner.run(experiment(BASE + "analyses: [codes-txt]\n"), dir.resolve("out"), Progress.NONE, log::add);
        assertEquals("failed", r.status());
        assertTrue(r.steps().get(0).error().startsWith("not run: setup failed: ") && r.steps().get(0).error().contains("not-a-number"),
                r.steps().get(0).error());
        JsonNode j = AtomicResultSink.JSON.readTree(dir.resolve("out/run.json").toFile());
        assertTrue(j.get("error").asText().contains("not-a-number"));
    }

    /** Steps reading the same examples in different blocks share one extraction: every row runs through the model once. */
    @Test
    void stepsShareTheExtractionOfPointsAndCodes() throws Exception {
        Path e = experiment(BASE + """
                layer: h1
                analyses:
                  - {id: share, name: a, params: {block: 2}}
                  - {id: share, name: b, params: {block: 3}}
                """);
        Runner runner = new Runner(TestPlugins.registry(TestPlugins.schemas(), backend, new TestPlugins.SignCoder(), new TestPlugins.LinesDataset(),
                new TestPlugins.Share()), List::of, 2);
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, log::add);
        assertTrue(r.ok(), r.toString());
        // the same text from both steps
        assertEquals(Files.readString(dir.resolve("out/a/share.txt")), Files.readString(dir.resolve("out/b/share.txt")));
        // 5 points to h1 once, their codes from h1 once: 10 rows; without sharing, 20
        assertEquals(10, backend.opened.get(0).rowsRun.get(), "rows run through the model");
        JsonNode shared = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out/run.json").toFile()).path("sharedRows");
        assertEquals(10, shared.path("computed").asLong(), shared.toString());
        assertTrue(shared.path("reused").asLong() >= 10, shared.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("shared points and codes:")), log.toString());
    }
}
