package org.polytopelens.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OSGi R8 feature file ({@code etc/features/NAME.json}): its bundles with start orders and
 * its default configurations. {@code shortName} is the file name without {@code .json}, the name
 * used in {@code features=...} and {@code --features}.
 */
record Feature(String shortName, String id, String name, String description, List<BundleSpec> bundles,
        Map<String, Map<String, Object>> configurations) {

    /** Start order for bundles whose entry gives none: after the explicitly ordered platform. */
    static final int DEFAULT_START_ORDER = 10;

    Feature {
        bundles = List.copyOf(bundles);
        configurations = Map.copyOf(configurations);
    }

    /** One {@code "bundles"} entry: Maven coordinates {@code g:a[:type[:classifier]]:v}. */
    record BundleSpec(String id, int startOrder) {
        /** The jar in Maven repository layout under {@code repository}. */
        Path path(Path repository) {
            String[] p = id.split(":");
            if (p.length < 3 || p.length > 5) {
                throw new IllegalArgumentException("bundle id '" + id + "' is not g:a:v, g:a:type:v or g:a:type:classifier:v");
            }
            String group = p[0];
            String artifact = p[1];
            String version = p[p.length - 1];
            String type = p.length >= 4 ? p[2] : "jar";
            String classifier = p.length == 5 ? "-" + p[3] : "";
            return repository.resolve(group.replace('.', '/')).resolve(artifact).resolve(version)
                    .resolve(artifact + "-" + version + classifier + "." + type);
        }
    }

    /** Every {@code *.json} in {@code dir}, by short name (sorted); a malformed file throws naming it. */
    static Map<String, Feature> loadAll(Path dir) throws IOException {
        Map<String, Feature> features = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return features;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                Feature f = read(file);
                features.put(f.shortName(), f);
            }
        }
        return features;
    }

    @SuppressWarnings("unchecked")
    static Feature read(Path file) throws IOException {
        String source = file.toString();
        Object root = Json.parse(Files.readString(file, StandardCharsets.UTF_8), source);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(source + ": a feature is a JSON object");
        }
        Object id = map.get("id");
        if (!(id instanceof String)) {
            throw new IllegalArgumentException(source + ": \"id\" (g:a:v) is required");
        }
        List<BundleSpec> bundles = new ArrayList<>();
        Object list = map.get("bundles");
        if (list instanceof List<?> entries) {
            for (Object e : entries) {
                if (e instanceof String s) {
                    bundles.add(new BundleSpec(s, DEFAULT_START_ORDER));
                } else if (e instanceof Map<?, ?> m && m.get("id") instanceof String s) {
                    Object order = m.get("start-order");
                    bundles.add(new BundleSpec(s, order instanceof Number n ? n.intValue()
                            : order instanceof String o ? Integer.parseInt(o.trim()) : DEFAULT_START_ORDER));
                } else {
                    throw new IllegalArgumentException(source + ": each bundle is \"g:a:v\" or {\"id\": \"g:a:v\", \"start-order\": N}, got " + e);
                }
            }
        } else if (list != null) {
            throw new IllegalArgumentException(source + ": \"bundles\" must be an array");
        }
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        Object configs = map.get("configurations");
        if (configs instanceof Map<?, ?> cm) {
            for (Map.Entry<?, ?> e : cm.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> props)) {
                    throw new IllegalArgumentException(source + ": configuration " + e.getKey() + " must be an object");
                }
                configurations.put((String) e.getKey(), (Map<String, Object>) props);
            }
        }
        String file0 = file.getFileName().toString();
        String shortName = file0.substring(0, file0.length() - ".json".length());
        return new Feature(shortName, (String) id, string(map.get("name"), shortName), string(map.get("description"), ""),
                bundles, configurations);
    }

    private static String string(Object value, String fallback) {
        return value instanceof String s ? s : fallback;
    }
}
