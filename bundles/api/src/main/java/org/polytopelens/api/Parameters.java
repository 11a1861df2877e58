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
