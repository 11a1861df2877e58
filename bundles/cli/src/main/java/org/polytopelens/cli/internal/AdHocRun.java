package org.polytopelens.cli.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.polytopelens.api.Progress;
import org.polytopelens.core.RunRecord;

/**
 * One-step experiments behind the single-purpose commands ({@code codes}, {@code activations}):
 * the command's options become an experiment run by the same runner, in a scratch directory under
 * the data directory, and the step's file is moved to where the user asked. So these commands
 * validate, stream and record exactly as {@code run} does.
 */
final class AdHocRun {
    private final Env env;
    private final Map<String, Object> experiment = new LinkedHashMap<>();

    AdHocRun(Env env, String name, Path model, String backend, Path inputs, String layer, boolean inputsInLayerSpace) {
        this(env, name, model, backend, inputs, null, layer, inputsInLayerSpace);
    }

    AdHocRun(Env env, String name, Path model, String backend, Path inputs, Path labels, String layer, boolean inputsInLayerSpace) {
        this.env = env;
        experiment.put("name", name);
        experiment.put("model", env.resolve(model).toString());
        if (backend != null) {
            experiment.put("backend", backend);
        }
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("provider", "npy");
        dataset.put("path", env.resolve(inputs).toString());
        if (labels != null) {
            dataset.put("labels", env.resolve(labels).toString());
        }
        experiment.put("dataset", dataset);
        experiment.put("layer", layer == null ? "" : layer);
        if (inputsInLayerSpace && layer != null && !layer.isEmpty()) {
            experiment.put("dataset_space", "layer");
        }
    }

    AdHocRun put(String key, Object value) {
        experiment.put(key, value);
        return this;
    }

    /** Runs the single analysis step and moves its {@code file} to {@code out}; returns the exit code. */
    int run(String analysis, Map<String, Object> params, String file, Path out, boolean verbose, PrintWriter err) throws Exception {
        return run(analysis, params, verbose, err, dir -> moveInto(dir.resolve(file), env.resolve(out)));
    }

    /** What to do with the step's output directory before the scratch directory is deleted. */
    interface Collect {
        void from(Path outDir) throws IOException;
    }

    /** Runs the single analysis step and hands its output directory to {@code collect}; returns the exit code. */
    int run(String analysis, Map<String, Object> params, boolean verbose, PrintWriter err, Collect collect) throws Exception {
        experiment.put("analyses", List.of(Map.of("id", analysis, "params", params)));
        // Only the step's file is kept: no report, no input hashes for a run record that is deleted.
        experiment.put("reports", Map.of());
        experiment.put("hash_inputs", false);
        Path scratch = Files.createDirectories(env.launch().dataDirectory().resolve("tmp"));
        Path dir = Files.createTempDirectory(scratch, analysis + "-");
        try {
            // JSON is YAML: the runner parses it like any experiment file.
            Path exp = dir.resolve("experiment.yaml");
            Files.writeString(exp, Commands.JSON.writeValueAsString(experiment));
            List<String> log = new ArrayList<>();
            RunRecord rec = env.requireRunner().run(exp, dir.resolve("out"), Progress.NONE, line -> {
                log.add(line);
                if (verbose) {
                    err.println(line);
                }
            });
            if (!rec.ok()) {
                RunRecord.StepRecord s = rec.steps().isEmpty() ? null : rec.steps().get(0);
                err.println("error: " + (s != null && s.error() != null ? s.error() : String.join("\n", log)));
                return 1;
            }
            collect.from(dir.resolve("out"));
            return 0;
        } finally {
            deleteTree(dir);
        }
    }

    private static void moveInto(Path from, Path to) throws IOException {
        Path parent = to.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Another file system: copy beside the target first, then rename, so the target is never half-written.
            Path tmp = Files.createTempFile(parent, "." + to.getFileName(), ".tmp");
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
