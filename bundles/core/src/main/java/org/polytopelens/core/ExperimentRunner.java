package org.polytopelens.core;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;
import org.polytopelens.api.Progress;

/**
 * Runs experiment files. An experiment names the model(s), the dataset, the layer, the coders,
 * and the analysis steps by provider id with their parameters (see docs/experiments.md).
 */
@ProviderType
public interface ExperimentRunner {
    /**
     * Parses and validates {@code experiment} without running it: every id resolved, every
     * parameter checked, every referenced file present. Throws {@link IllegalArgumentException}
     * with a message naming each problem.
     */
    void validate(Path experiment) throws Exception;

    /**
     * Runs {@code experiment}, writing results atomically into {@code outDir} (created if
     * missing) with a {@code run.json} provenance record written last. A failing step is
     * recorded and the other steps go on; the returned record says what happened.
     *
     * @param log receives human-readable log lines as the run goes
     */
    RunRecord run(Path experiment, Path outDir, Progress progress, Consumer<String> log) throws Exception;

    /**
     * As {@link #run}, and with {@code resume} reuses what an earlier run of the same experiment
     * text finished in {@code outDir}: a step recorded {@code ok} whose files are all there is not
     * run again. A different experiment in {@code outDir} is an error.
     */
    RunRecord run(Path experiment, Path outDir, Progress progress, Consumer<String> log, boolean resume) throws Exception;
}
