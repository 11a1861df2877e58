package org.polytopelens.core;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How experiment files name files: relative paths resolve against the experiment file's
 * directory, for the model files and for every provider parameter whose key is {@code path}, ends
 * in {@code _path} or {@code .path}, or is {@code labels}. One rule for the runner and for tools
 * that write experiments (the GUI's editor).
 */
public final class ExperimentPaths {
    private ExperimentPaths() {}

    /** Whether a provider parameter holds a path. */
    public static boolean isPathKey(String key) {
        return key.equals("path") || key.endsWith("_path") || key.endsWith(".path") || key.equals("labels");
    }

    /** The parameters with their non-blank path values resolved against {@code base}; others unchanged, order kept. */
    public static Map<String, Object> resolve(Map<String, Object> params, Path base) {
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, isPathKey(k) && v instanceof String s && !s.isBlank() ? base.resolve(s).normalize().toString() : v));
        return out;
    }
}
