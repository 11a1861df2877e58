package org.polytopelens.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a run did, as also written to {@code run.json}.
 *
 * @param status {@code "ok"} if every step succeeded, {@code "failed"} otherwise
 */
public record RunRecord(String experiment, Path outDir, Instant started, Instant finished, String status, List<StepRecord> steps) {
    public RunRecord {
        steps = List.copyOf(steps);
    }

    public boolean ok() {
        return "ok".equals(status);
    }

    /** One analysis step: its provider id, status ("ok", "failed", "cancelled"), error and files. */
    public record StepRecord(String analysis, String status, String error, long millis, List<String> files) {
        public StepRecord {
            files = List.copyOf(files);
        }
    }
}
