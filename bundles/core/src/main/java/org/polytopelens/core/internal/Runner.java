package org.polytopelens.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Provider;
import org.polytopelens.api.TokenDataset;
import org.polytopelens.api.Reporter;
import org.polytopelens.api.Visualizer;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.RunRecord.StepRecord;

/**
 * The experiment runner without OSGi: resolves an experiment against an {@link ExtensionRegistry},
 * validates it completely, then runs its steps on a {@link ParallelEngine} and writes {@code
 * run.json} last. Thread-safe: each run has its own state.
 */
public class Runner implements ExperimentRunner {
    /** Memory for the points and codes a run's steps share: a quarter of the heap, at most 1 GiB. */
    static final long CACHE_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);

    private final ExtensionRegistry registry;
    private final Supplier<List<Map<String, Object>>> bundles;
    private final int threads;

    /**
     * @param bundles the installed bundles for the provenance record (symbolicName, version, state)
     * @param threads engine threads per run
     */
    public Runner(ExtensionRegistry registry, Supplier<List<Map<String, Object>>> bundles, int threads) {
        this.registry = registry;
        this.bundles = bundles;
        this.threads = threads;
    }

    /** An experiment resolved against the registry, ready to run. */
    record Plan(Experiment exp, Map<String, ModelBackend> backends, Map<String, Parameters> perModelParams,
            DatasetProvider datasetProvider, Parameters datasetParams, List<ActivationCoder> coders, List<PlannedStep> steps,
            Map<String, Parameters> visualizerParams, Map<String, Parameters> reportParams) {}

    record PlannedStep(Experiment.Step step, Parameters params) {}

    @Override
    public void validate(Path experiment) throws Exception {
        plan(experiment, Files.readString(experiment));
    }

    Plan plan(Path file, String text) {
        Experiment exp = Experiment.parse(text, file);
        List<String> problems = new ArrayList<>();

        Map<String, ModelBackend> backends = new LinkedHashMap<>();
        Map<String, Parameters> modelParams = new LinkedHashMap<>();
        ModelBackend named = exp.backend() == null ? null : resolve(ModelBackend.class, exp.backend(), problems);
        exp.models().forEach((role, path) -> {
            if (!Files.isRegularFile(path)) {
                problems.add("model file not found: " + path + (role.equals("model") ? "" : " (models." + role + ")"));
                return;
            }
            ModelBackend b = named != null ? named : exp.backend() == null ? best(path, problems) : null;
            if (b != null) {
                backends.put(role, b);
                Parameters p = validate(b, exp.backendParams(), problems);
                if (p != null) {
                    modelParams.put(role, p);
                }
            }
        });

        DatasetProvider dp = resolve(DatasetProvider.class, exp.dataset(), problems);
        Parameters dsParams = dp == null ? null : validate(dp, exp.datasetParams(), problems);
        for (Path f : Experiment.files(exp.datasetParams())) {
            if (!Files.exists(f)) {
                problems.add("dataset file not found: " + f);
            }
        }

        List<ActivationCoder> coders = new ArrayList<>();
        if (exp.coders() == null) {
            coders.addAll(registry.providers(ActivationCoder.class));
        } else {
            for (String id : exp.coders()) {
                ActivationCoder c = resolve(ActivationCoder.class, id, problems);
                if (c != null) {
                    coders.add(c);
                }
            }
        }

        List<PlannedStep> steps = new ArrayList<>();
        for (Experiment.Step s : exp.steps()) {
            Analysis a = resolve(Analysis.class, s.id(), problems);
            if (a != null) {
                Parameters p = validate(a, s.params(), problems);
                if (p != null) {
                    steps.add(new PlannedStep(s, p));
                }
            }
        }
        // Named visualizers are checked now; the others run with their schema's defaults.
        Map<String, Parameters> visualizerParams = new LinkedHashMap<>();
        exp.visualizers().forEach((id, raw) -> {
            Visualizer v = resolve(Visualizer.class, id, problems);
            Parameters p = v == null ? null : validate(v, raw, problems);
            if (p != null) {
                visualizerParams.put(id, p);
            }
        });
        // Reporters: the named ones with their parameters, or (no 'reports' key) every one with defaults at report time.
        Map<String, Parameters> reportParams = null;
        if (exp.reports() != null) {
            reportParams = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Object>> e : exp.reports().entrySet()) {
                Reporter r = resolve(Reporter.class, e.getKey(), problems);
                Parameters p = r == null ? null : validate(r, e.getValue(), problems);
                if (p != null) {
                    reportParams.put(e.getKey(), p);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("experiment " + file + " is not valid:\n  - " + String.join("\n  - ", problems));
        }
        return new Plan(exp, backends, modelParams, dp, dsParams, coders, steps, visualizerParams, reportParams);
    }

    private <T extends Provider> T resolve(Class<T> type, String id, List<String> problems) {
        try {
            return registry.provider(type, id);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private Parameters validate(Provider p, Map<String, ?> raw, List<String> problems) {
        try {
            return registry.validate(p, raw);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage().replace("\n", "\n    "));
            return null;
        }
    }

    private ModelBackend best(Path model, List<String> problems) {
        ModelBackend best = null;
        int bestPriority = -1;
        List<String> seen = new ArrayList<>();
        for (ModelBackend b : registry.providers(ModelBackend.class)) {
            int p = b.priority(model);
            seen.add(b.id() + " (priority " + p + ")");
            if (p >= 0 && p > bestPriority) {
                best = b;
                bestPriority = p;
            }
        }
        if (best == null) {
            problems.add("no backend can open " + model + "; backends: " + (seen.isEmpty() ? "none registered" : seen));
        }
        return best;
    }

    @Override
    public RunRecord run(Path experiment, Path outDir, Progress progress, Consumer<String> log) throws Exception {
        return run(experiment, outDir, progress, log, false);
    }

    @Override
    public RunRecord run(Path experiment, Path outDir, Progress progress, Consumer<String> log, boolean resume) throws Exception {
        Path file = experiment.toAbsolutePath().normalize();
        Path out = outDir.toAbsolutePath().normalize();
        String text = Files.readString(file);
        Plan plan = plan(file, text);
        Experiment exp = plan.exp();
        Map<Integer, StepRecord> reusable = resume ? finished(out, text, plan) : Map.of();
        Instant started = Instant.now();
        Files.createDirectories(out);
        log.accept("run '" + exp.name() + "' -> " + out);

        List<Map<String, Object>> inputs = new ArrayList<>();
        Map<String, Model> models = new LinkedHashMap<>();
        Dataset dataset = null;
        String setupError = null;
        List<StepRecord> steps = new ArrayList<>();
        List<Map<String, Object>> stepJson = new ArrayList<>();
        RunContext.Encoders encoders = null;
        RowCache cache = null;
        // Steps with a layer of their own get their own encoders, planned on first use.
        Map<String, RunContext.Encoders> byLayer = new LinkedHashMap<>();
        try (ParallelEngine engine = new ParallelEngine(threads)) {
            try {
                for (Map.Entry<String, Path> m : exp.models().entrySet()) {
                    inputs.add(input("model:" + m.getKey(), m.getValue(), exp.hashInputs()));
                }
                for (Path f : Experiment.files(exp.datasetParams())) {
                    inputs.add(input("dataset", f, exp.hashInputs()));
                }
                for (Map.Entry<String, Path> m : exp.models().entrySet()) {
                    ModelBackend b = plan.backends().get(m.getKey());
                    log.accept("open " + m.getValue().getFileName() + " with backend '" + b.id() + "'");
                    models.put(m.getKey(), b.open(m.getValue(), plan.perModelParams().get(m.getKey())));
                }
                dataset = plan.datasetProvider().open(plan.datasetParams());
                log.accept("dataset '" + plan.datasetProvider().id() + "': " + dataset.size() + " examples");
                if (dataset instanceof TokenDataset td) {
                    log.accept("the examples are tokens of " + td.sequences() + " sequences");
                    boolean inputSpace = exp.layer().isEmpty() && plan.steps().stream().anyMatch(p -> p.step().layer() == null || p.step().layer().isEmpty());
                    if (inputSpace || exp.datasetInLayerSpace()) {
                        throw new IllegalArgumentException(TokenPoints.needsLayer(td));
                    }
                }
                Dataset ds = dataset;
                encoders = encoders(ds, exp, exp.layer(), plan, log);
                byLayer.put(exp.layer(), encoders);
            } catch (Exception | LinkageError e) {
                setupError = describe(e);
                log.accept("setup failed: " + setupError);
            }
            for (int si = 0; si < plan.steps().size(); si++) {
                PlannedStep ps = plan.steps().get(si);
                String id = ps.step().id();
                StepRecord r;
                AtomicResultSink sink = null;
                if (reusable.containsKey(si)) {
                    r = reusable.get(si);
                    log.accept("[" + id + "] reused from the earlier run: " + String.join(", ", r.files()));
                } else if (setupError != null) {
                    r = new StepRecord(id, "failed", "not run: setup failed: " + setupError, 0, List.of());
                } else if (progress.cancelled()) {
                    r = new StepRecord(id, "cancelled", "not run: the run was cancelled", 0, List.of());
                } else {
                    String name = ps.step().name();
                    Path stepDir = name == null ? out : out.resolve(name);
                    Files.createDirectories(stepDir);
                    sink = new AtomicResultSink(stepDir, () -> registry.providers(Visualizer.class),
                            v -> plan.visualizerParams().containsKey(v.id()) ? plan.visualizerParams().get(v.id()) : registry.validate(v, Map.of()));
                    String layer = ps.step().layer() == null ? exp.layer() : ps.step().layer();
                    Dataset ds = dataset;
                    RunContext.Encoders stepEncoders = byLayer.computeIfAbsent(layer, l -> encoders(ds, exp, l, plan, log));
                    if (cache == null) {
                        // Rows are shared between steps: with one step nothing would ever be reused.
                        cache = new RowCache(dataset.size(), plan.steps().size() > 1 ? CACHE_BYTES : 0);
                    }
                    r = runStep(ps, exp, layer, models, dataset, stepEncoders, cache, sink, engine, progress, log);
                    if (name != null) {
                        r = new StepRecord(r.analysis(), r.status(), r.error(), r.millis(), r.files().stream().map(f -> name + "/" + f).toList());
                    }
                }
                steps.add(r);
                Map<String, Object> sj = new LinkedHashMap<>();
                sj.put("analysis", r.analysis());
                sj.put("status", r.status());
                sj.put("error", r.error());
                sj.put("millis", r.millis());
                sj.put("files", r.files());
                sj.put("warnings", sink == null ? List.of() : sink.warnings());
                sj.put("params", ps.params().asMap());
                if (reusable.containsKey(si)) {
                    sj.put("reused", true);
                }
                stepJson.add(sj);
                // What has finished so far, so that a run stopped half way (Ctrl-C) can be resumed;
                // the complete record replaces it at the end.
                Map<String, Object> partial = new LinkedHashMap<>();
                partial.put("name", exp.name());
                partial.put("experiment", file.toString());
                partial.put("experimentSha256", sha256(text.getBytes(StandardCharsets.UTF_8)));
                partial.put("status", "incomplete");
                partial.put("steps", stepJson);
                AtomicResultSink.writeAtomically(out.resolve("run.json"), o -> AtomicResultSink.JSON.writeValue(o, partial));
            }
        } finally {
            if (dataset != null) {
                closeQuietly(dataset, log);
            }
            for (Model m : models.values()) {
                closeQuietly(m, log);
            }
        }
        Instant finished = Instant.now();
        boolean ok = setupError == null && steps.stream().allMatch(s -> s.status().equals("ok"));
        String status = ok ? "ok" : "failed";

        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", exp.name());
        j.put("experiment", file.toString());
        j.put("experimentSha256", sha256(text.getBytes(StandardCharsets.UTF_8)));
        j.put("experimentText", text);
        j.put("outDir", out.toString());
        j.put("started", started.toString());
        j.put("finished", finished.toString());
        j.put("millis", Duration.between(started, finished).toMillis());
        j.put("status", status);
        j.put("error", setupError);
        List<Map<String, Object>> modelJson = new ArrayList<>();
        exp.models().forEach((role, path) -> {
            Map<String, Object> mj = new LinkedHashMap<>();
            mj.put("role", role);
            mj.put("path", path.toString());
            mj.put("backend", plan.backends().get(role).id());
            mj.put("params", plan.perModelParams().get(role).asMap());
            modelJson.add(mj);
        });
        j.put("models", modelJson);
        Map<String, Object> dj = new LinkedHashMap<>();
        dj.put("provider", exp.dataset());
        dj.put("params", plan.datasetParams().asMap());
        j.put("dataset", dj);
        j.put("layer", exp.layer());
        j.put("datasetSpace", exp.datasetInLayerSpace() ? "layer" : "input");
        j.put("encoders", encoderJson(models, encoders));
        j.put("steps", stepJson);
        j.put("inputs", inputs);
        j.put("bundles", bundles.get());
        j.put("java", System.getProperty("java.version"));
        j.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        j.put("threads", threads);
        if (cache != null) {
            long[] st = cache.stats();
            // How much of the dataset's points and codes the steps shared instead of recomputing.
            j.put("sharedRows", Map.of("reused", st[0], "computed", st[1], "bytes", st[2]));
            log.accept("shared points and codes: " + st[0] + " example rows reused, " + st[1] + " computed, " + st[2] / (1 << 20) + " MB held");
        }
        AtomicResultSink.writeAtomically(out.resolve("run.json"), o -> AtomicResultSink.JSON.writeValue(o, j));
        List<Map<String, Object>> reports = report(out, plan.reportParams(), log);
        if (!reports.isEmpty()) {
            // Reporters read run.json, so it is written first; then once more with their outcome.
            j.put("reports", reports);
            AtomicResultSink.writeAtomically(out.resolve("run.json"), o -> AtomicResultSink.JSON.writeValue(o, j));
        }
        log.accept("run " + status + " in " + Duration.between(started, finished).toMillis() + " ms; run.json written");
        return new RunRecord(file.toString(), out, started, finished, status, steps);
    }

    /**
     * Steps of an earlier run of the same experiment text in {@code out} that finished ok and
     * whose files are all there, by position; an error if {@code out} holds another experiment.
     */
    private Map<Integer, StepRecord> finished(Path out, String text, Plan plan) throws IOException {
        Path runJson = out.resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            return Map.of();
        }
        com.fasterxml.jackson.databind.JsonNode previous = AtomicResultSink.JSON.readTree(runJson.toFile());
        String sha = sha256(text.getBytes(StandardCharsets.UTF_8));
        if (!sha.equals(previous.path("experimentSha256").asText())) {
            throw new IllegalArgumentException("--resume: " + out + " holds a run of another experiment (SHA-256 "
                    + previous.path("experimentSha256").asText() + ", this one " + sha + "); run it into another directory or without --resume");
        }
        Map<Integer, StepRecord> done = new LinkedHashMap<>();
        com.fasterxml.jackson.databind.JsonNode steps = previous.path("steps");
        for (int i = 0; i < Math.min(steps.size(), plan.steps().size()); i++) {
            com.fasterxml.jackson.databind.JsonNode st = steps.get(i);
            List<String> files = new ArrayList<>();
            st.path("files").forEach(f -> files.add(f.asText()));
            boolean present = files.stream().allMatch(f -> Files.isRegularFile(out.resolve(f)));
            if (st.path("status").asText().equals("ok") && st.path("analysis").asText().equals(plan.steps().get(i).step().id()) && present) {
                done.put(i, new StepRecord(st.path("analysis").asText(), "ok", null, st.path("millis").asLong(), files));
            }
        }
        return done;
    }

    /**
     * The experiment's reporters (every registered one when it names none), each isolated: one
     * failing is recorded and the others still run; its sink is atomic, so a failure leaves no
     * partial file.
     */
    private List<Map<String, Object>> report(Path out, Map<String, Parameters> named, Consumer<String> log) {
        List<Map<String, Object>> done = new ArrayList<>();
        // In the experiment's order; a reporter named but gone since validation (hot undeploy) is left out.
        List<Reporter> reporters = named == null ? registry.providers(Reporter.class)
                : named.keySet().stream().flatMap(id -> registry.providers(Reporter.class).stream().filter(r -> r.id().equals(id)).limit(1)).toList();
        for (Reporter r : reporters) {
            Map<String, Object> rj = new LinkedHashMap<>();
            rj.put("reporter", r.id());
            AtomicResultSink sink = new AtomicResultSink(out, List::of, v -> Parameters.empty());
            long t0 = System.nanoTime();
            try {
                r.report(out, sink, named == null ? registry.validate(r, Map.of()) : named.get(r.id()));
                rj.put("status", "ok");
                rj.put("files", sink.files());
                log.accept("report '" + r.id() + "': " + String.join(", ", sink.files()));
            } catch (Exception | LinkageError e) {
                rj.put("status", "failed");
                rj.put("error", describe(e));
                log.accept("report '" + r.id() + "' failed: " + describe(e));
            }
            rj.put("millis", (System.nanoTime() - t0) / 1_000_000);
            done.add(rj);
        }
        return done;
    }

    /** Encoders of the points of {@code layer}'s space, one per model, planned on first use. */
    private static RunContext.Encoders encoders(Dataset ds, Experiment exp, String layer, Plan plan, Consumer<String> log) {
        return new RunContext.Encoders(model -> {
            String input = ds.input().orElseGet(() -> model.info().inputs().isEmpty() ? "" : model.info().inputs().get(0).name());
            LayerEncoder e = ds instanceof TokenDataset td
                    ? TokenPoints.plan(model, td, layer, exp.sites(), sites -> LayerEncoder.plan(model, layer, sites, plan.coders(), input, log), log)
                    : LayerEncoder.plan(model, layer, exp.sites(), plan.coders(), input, log);
            for (int i = 0; i < e.sites().size(); i++) {
                log.accept("site " + e.sites().get(i) + " coded by '" + e.coders().get(i).id() + "'" + (layer.equals(exp.layer()) ? "" : " (layer '" + layer + "')"));
            }
            return e;
        });
    }

    private StepRecord runStep(PlannedStep ps, Experiment exp, String layer, Map<String, Model> models, Dataset dataset, RunContext.Encoders encoders,
            RowCache cache, AtomicResultSink sink, ParallelEngine engine, Progress progress, Consumer<String> runLog) {
        String id = ps.step().id();
        Consumer<String> log = line -> runLog.accept("[" + id + "] " + line);
        long limit = ps.step().timeLimitSeconds() > 0 ? ps.step().timeLimitSeconds() : exp.timeLimitSeconds();
        StepProgress sp = new StepProgress(progress, limit, log);
        long t0 = System.nanoTime();
        String status = "ok";
        String error = null;
        try {
            // Resolved again: the provider may have gone since validation (hot undeploy).
            Analysis a = registry.provider(Analysis.class, id);
            log.accept("start " + ps.params().asMap());
            try {
                a.run(new RunContext(models, dataset, layer, exp.datasetInLayerSpace(), encoders, cache, sink, engine, sp, log), ps.params());
            } finally {
                // A plugin uninstalled while its step ran: its code ran to the end on classes that
                // are gone from the workbench, so the step's results are not to be trusted.
                if (registry.providers(Analysis.class).stream().noneMatch(p -> p == a)) {
                    throw new IllegalStateException("the plugin providing analysis '" + id + "' was removed while its step ran; "
                            + "the step's files " + sink.files() + " are from a plugin no longer installed");
                }
            }
        } catch (CancellationException e) {
            status = sp.timedOut() ? "failed" : "cancelled";
            error = e.getMessage() == null ? "cancelled" : e.getMessage();
        } catch (Exception | LinkageError e) {
            status = "failed";
            error = describe(e);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        log.accept(status + " in " + millis + " ms" + (error == null ? "" : ": " + error) + (sink.files().isEmpty() ? "" : "; wrote " + sink.files()));
        sink.warnings().forEach(w -> log.accept("warning: " + w));
        return new StepRecord(id, status, error, millis, sink.files());
    }

    private static List<Map<String, Object>> encoderJson(Map<String, Model> models, RunContext.Encoders encoders) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (encoders == null) {
            return out;
        }
        Map<Model, LayerEncoder> planned = encoders.planned();
        models.forEach((role, m) -> {
            LayerEncoder e = planned.get(m);
            if (e == null) {
                return;
            }
            Map<String, Object> ej = new LinkedHashMap<>();
            ej.put("model", role);
            ej.put("layer", e.layer());
            ej.put("feed", e.feed());
            List<Map<String, Object>> sites = new ArrayList<>();
            CodeLayout layout = null;
            try {
                layout = e.layout();
            } catch (IllegalStateException notYet) {
                // dynamic shapes never encoded: no offsets to report
            }
            for (int i = 0; i < e.sites().size(); i++) {
                ActivationSite s = e.sites().get(i);
                Map<String, Object> sj = new LinkedHashMap<>();
                sj.put("site", s.name());
                sj.put("op", s.op());
                sj.put("preactivation", s.preactivation());
                sj.put("coder", e.coders().get(i).id());
                if (layout != null) {
                    sj.put("offset", layout.segments().get(i).offset());
                    sj.put("bits", layout.segments().get(i).bits());
                }
                sites.add(sj);
            }
            ej.put("sites", sites);
            out.add(ej);
        });
        return out;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getName();
        }
        return e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof IOException
                || e instanceof org.polytopelens.api.Engine.ShardFailedException ? m : e.getClass().getSimpleName() + ": " + m;
    }

    private static void closeQuietly(AutoCloseable c, Consumer<String> log) {
        try {
            c.close();
        } catch (Exception | LinkageError e) {
            log.accept("warning: closing " + c + " failed: " + e);
        }
    }

    private static Map<String, Object> input(String role, Path f, boolean hash) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("path", f.toString());
        m.put("bytes", Files.size(f));
        if (hash) {
            m.put("sha256", sha256(f));
        }
        return m;
    }

    static String sha256(Path f) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
