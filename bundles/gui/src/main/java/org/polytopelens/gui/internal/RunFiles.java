package org.polytopelens.gui.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.Table;

/**
 * A run's directory as the window shows it: run.json's record, each step with its files, and the
 * published results read back from their JSON (the core writes every published result as
 * {@code NAME.json} with its type), so charts can be drawn live rather than as pictures.
 */
public final class RunFiles {
    /** One past run: its directory and the headline of its run.json. */
    public record RunSummary(Path dir, String name, String status, String started, long millis) {}

    /** A step of a run: analysis id, status, error, files relative to the run directory. */
    public record StepFiles(String analysis, String status, String error, long millis, List<String> files) {}

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Map<String, Class<? extends Result>> TYPES = Map.of("BarPlot", BarPlot.class, "LinePlot", LinePlot.class, "Histogram",
            Histogram.class, "HeatMap", HeatMap.class, "Table", Table.class);

    private RunFiles() {}

    /** Runs (directories holding a run.json) under {@code roots}, at most three levels down, newest first. */
    public static List<RunSummary> list(List<Path> roots) {
        List<RunSummary> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> s = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("run.json") && a.isRegularFile())) {
                s.forEach(p -> {
                    try {
                        JsonNode r = JSON.readTree(p.toFile());
                        out.add(new RunSummary(p.getParent(), r.path("name").asText(p.getParent().getFileName().toString()), r.path("status").asText("?"),
                                r.path("started").asText(""), r.path("millis").asLong()));
                    } catch (IOException e) {
                        out.add(new RunSummary(p.getParent(), p.getParent().getFileName().toString(), "unreadable run.json", "", 0));
                    }
                });
            } catch (IOException e) {
                // a root that vanished or cannot be read has no runs to show
            }
        }
        out.sort(Comparator.comparing(RunSummary::started).reversed());
        return out;
    }

    public static JsonNode record(Path runDir) throws IOException {
        Path p = runDir.resolve("run.json");
        if (!Files.isRegularFile(p)) {
            throw new IOException("no run.json in " + runDir + ": not a run directory");
        }
        return JSON.readTree(p.toFile());
    }

    public static List<StepFiles> steps(JsonNode run) {
        List<StepFiles> out = new ArrayList<>();
        for (JsonNode s : run.path("steps")) {
            List<String> files = new ArrayList<>();
            s.path("files").forEach(f -> files.add(f.asText()));
            out.add(new StepFiles(s.path("analysis").asText(), s.path("status").asText(), s.path("error").isNull() ? null : s.path("error").asText(null),
                    s.path("millis").asLong(), files));
        }
        return out;
    }

    /** The published result a JSON file holds, or null when the file is not one (e.g. an analysis' own JSON). */
    public static Result result(Path json) {
        try {
            JsonNode n = JSON.readTree(json.toFile());
            Class<? extends Result> type = n.isObject() ? TYPES.get(n.path("type").asText()) : null;
            return type == null ? null : JSON.treeToValue(n, type);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
