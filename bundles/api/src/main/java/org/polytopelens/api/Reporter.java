package org.polytopelens.api;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Extension point: writes a run-level document (an HTML report, a Markdown summary, a LaTeX
 * table...) from a finished run's directory: its {@code run.json} provenance record (experiment
 * text, inputs' SHA-256, bundles, per-step status, errors and files) and the files the steps
 * wrote. Called after every run, also a failed one, once {@code run.json} is written; writes
 * through {@code out} (atomically). A failure is recorded in {@code run.json} and never fails the
 * run. Stateless and thread-safe.
 */
@ConsumerType
public interface Reporter extends Provider {
    void report(Path runDirectory, ResultSink out, Parameters params) throws Exception;
}
