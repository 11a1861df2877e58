package org.polytopelens.gui.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the window remembers between sessions, in the workbench's data directory: theme, bounds,
 * split positions, recent files. Immutable; a damaged file gives the defaults, never an error.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GuiState(String theme, int x, int y, int width, int height, boolean maximized, int toolWidth, int consoleHeight,
        List<String> recentExperiments, List<String> recentModels) {
    static final int MAX_RECENT = 10;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public GuiState {
        theme = "dark".equals(theme) ? "dark" : "light";
        recentExperiments = recentExperiments == null ? List.of() : List.copyOf(recentExperiments);
        recentModels = recentModels == null ? List.of() : List.copyOf(recentModels);
        width = width < 400 ? 1400 : width;
        height = height < 300 ? 900 : height;
        toolWidth = toolWidth < 80 ? 330 : toolWidth;
        consoleHeight = consoleHeight < 60 ? 200 : consoleHeight;
    }

    static GuiState defaults() {
        return new GuiState("light", -1, -1, 1400, 900, false, 330, 200, List.of(), List.of());
    }

    static GuiState load(Path file) {
        try {
            return Files.isRegularFile(file) ? JSON.readValue(file.toFile(), GuiState.class) : defaults();
        } catch (IOException | RuntimeException e) {
            return defaults();
        }
    }

    /** Written to a temporary file and moved into place: a crash never leaves half a state file. */
    void save(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".state-", ".json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    GuiState withTheme(String t) {
        return new GuiState(t, x, y, width, height, maximized, toolWidth, consoleHeight, recentExperiments, recentModels);
    }

    GuiState withBounds(int nx, int ny, int w, int h, boolean max, int tools, int console) {
        return new GuiState(theme, nx, ny, w, h, max, tools, console, recentExperiments, recentModels);
    }

    GuiState withRecentExperiment(Path p) {
        return new GuiState(theme, x, y, width, height, maximized, toolWidth, consoleHeight, push(recentExperiments, p), recentModels);
    }

    GuiState withRecentModel(Path p) {
        return new GuiState(theme, x, y, width, height, maximized, toolWidth, consoleHeight, recentExperiments, push(recentModels, p));
    }

    /** Most recent first, no duplicates, at most {@link #MAX_RECENT}. */
    static List<String> push(List<String> list, Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        List<String> out = new ArrayList<>();
        out.add(s);
        list.stream().filter(e -> !e.equals(s)).limit(MAX_RECENT - 1).forEach(out::add);
        return out;
    }
}
