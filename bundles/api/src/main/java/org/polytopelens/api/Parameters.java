package org.polytopelens.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.util.converter.Converters;

/**
 * Validated parameters for one use of a plugin (an experiment step). Values have already been
 * checked against the plugin's Metatype schema and filled with its defaults; {@link #as(Class)}
 * views them through the plugin's own {@code @ObjectClassDefinition} annotation type.
 */
public final class Parameters {
    private static final Parameters EMPTY = new Parameters(Map.of());
    private final Map<String, Object> values;

    private Parameters(Map<String, ?> values) {
        // Keeps the caller's key order (run.json lists parameters as the experiment wrote them).
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Parameters of(Map<String, ?> values) {
        return values.isEmpty() ? EMPTY : new Parameters(values);
    }

    public static Parameters empty() {
        return EMPTY;
    }

    /**
     * Parameters for another plugin written as {@code key=value} strings (an analysis passing
     * {@code [k=10, min_points=5]} on to a clustering plugin), under Metatype ids ({@code min_points}
     * -> {@code min.points}); values stay strings for the converter. Blank entries are skipped:
     * Metatype's empty array default arrives as one empty string.
     *
     * @param what the parameter's name, for the error message
     */
    public static Map<String, Object> keyValues(String[] entries, String what) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String kv : entries == null ? new String[0] : entries) {
            if (kv == null || kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(what + " entries are key=value, got '" + kv + "'");
            }
            out.put(kv.substring(0, eq).trim().replace('_', '.'), kv.substring(eq + 1).trim());
        }
        return out;
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public Optional<Object> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * The parameters as an instance of the plugin's config annotation (or any interface whose
     * methods name the keys), using the OSGi converter's rules: {@code min_size} maps to
     * {@code min.size()}, absent keys take the annotation's defaults.
     */
    public <T> T as(Class<T> type) {
        return Converters.standardConverter().convert(values).to(type);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
