package org.polytopelens.gui.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages of a run as the console's stage list shows them: the experiment's steps in order,
 * each pending, running (with the current fraction) or finished with its status and time, read
 * from the run.json the runner rewrites after every step. Pure logic, no Swing.
 */
final class RunStages {
    /** One stage line. */
    record Stage(String label, String status, long millis) {
        @Override
        public String toString() {
            return switch (status) {
                case "pending" -> "\u00b7 " + label;
                case "running" -> "\u25b6 " + label + (millis >= 0 ? " " + millis + "%" : "");
                case "ok" -> "\u2714 " + label + " (" + millis + " ms)";
                default -> "\u2716 " + label + " (" + status + ")";
            };
        }
    }

    private RunStages() {}

    /** Labels of the experiment's steps: id, and its name or layer when it has one. */
    static List<String> labels(ExperimentDraft d) {
        List<String> out = new ArrayList<>();
        for (ExperimentDraft.Step s : d.analyses()) {
            out.add(s.id() + (s.name() != null ? " (" + s.name() + ")" : s.layer() != null ? " @ " + s.layer() : ""));
        }
        return out;
    }

    /**
     * The stages now: steps recorded in {@code runJson} (null when not written yet) are finished;
     * the first one after them is running at {@code percent} (or -1 if unknown); the rest pending.
     */
    static List<Stage> of(List<String> labels, JsonNode runJson, int percent) {
        List<Stage> out = new ArrayList<>();
        JsonNode steps = runJson == null ? null : runJson.path("steps");
        int done = steps == null ? 0 : Math.min(steps.size(), labels.size());
        for (int i = 0; i < labels.size(); i++) {
            if (i < done) {
                out.add(new Stage(labels.get(i), steps.get(i).path("status").asText("?"), steps.get(i).path("millis").asLong()));
            } else if (i == done) {
                out.add(new Stage(labels.get(i), "running", percent));
            } else {
                out.add(new Stage(labels.get(i), "pending", -1));
            }
        }
        return out;
    }

    /** run.json of a run in progress, or null when absent or being replaced. */
    static JsonNode read(Path dir) {
        try {
            return Files.isRegularFile(dir.resolve("run.json")) ? RunFiles.record(dir) : null;
        } catch (Exception e) {
            return null;
        }
    }
}
