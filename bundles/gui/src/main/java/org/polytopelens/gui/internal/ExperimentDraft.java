package org.polytopelens.gui.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment as the editor composes it: the same structure as the YAML the command line runs
 * (docs/experiments.md), kept as plain values so that it round-trips through the file. Keys the
 * editor does not know are kept as they were. Immutable; edits return a new draft.
 */
public record ExperimentDraft(String name, Map<String, String> models, String datasetProvider, Map<String, Object> datasetParams, String layer,
        List<Step> analyses, Map<String, Object> other) {
    /** One analysis step: plugin id, optional name (its subdirectory) and layer, parameters. */
    public record Step(String id, String name, String layer, Map<String, Object> params) {
        public Step {
            params = params == null ? Map.of() : new LinkedHashMap<>(params);
            name = name == null || name.isBlank() ? null : name;
            layer = layer == null || layer.isBlank() ? null : layer;
        }

        public Step withParams(Map<String, Object> p) {
            return new Step(id, name, layer, p);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final List<String> KNOWN = List.of("name", "model", "models", "dataset", "layer", "analyses");

    public ExperimentDraft {
        name = name == null ? "" : name;
        models = models == null ? Map.of() : new LinkedHashMap<>(models);
        datasetParams = datasetParams == null ? Map.of() : new LinkedHashMap<>(datasetParams);
        layer = layer == null ? "" : layer;
        analyses = analyses == null ? List.of() : List.copyOf(analyses);
        other = other == null ? Map.of() : new LinkedHashMap<>(other);
    }

    public static ExperimentDraft empty() {
        return new ExperimentDraft("experiment", Map.of(), "", Map.of(), "", List.of(), Map.of());
    }

    /** Parses experiment YAML; a file the editor cannot show is an error naming what is wrong. */
    @SuppressWarnings("unchecked")
    public static ExperimentDraft parse(String yaml) throws IOException {
        Map<String, Object> root = YAML.readValue(yaml, new TypeReference<LinkedHashMap<String, Object>>() {});
        if (root == null) {
            return empty();
        }
        Map<String, String> models = new LinkedHashMap<>();
        if (root.get("model") != null) {
            models.put("model", String.valueOf(root.get("model")));
        }
        if (root.get("models") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> models.put(String.valueOf(k), String.valueOf(v)));
        }
        String provider = "";
        Map<String, Object> dataset = new LinkedHashMap<>();
        if (root.get("dataset") instanceof Map<?, ?> d) {
            d.forEach((k, v) -> {
                if (!"provider".equals(k)) {
                    dataset.put(String.valueOf(k), v);
                }
            });
            provider = d.get("provider") == null ? "" : String.valueOf(d.get("provider"));
        }
        List<Step> steps = new ArrayList<>();
        if (root.get("analyses") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> s) {
                    steps.add(new Step(String.valueOf(s.get("id")), s.get("name") == null ? null : String.valueOf(s.get("name")),
                            s.get("layer") == null ? null : String.valueOf(s.get("layer")),
                            s.get("params") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of()));
                } else {
                    steps.add(new Step(String.valueOf(o), null, null, Map.of()));
                }
            }
        } else if (root.containsKey("analyses")) {
            throw new IOException("'analyses' must be a list of steps, got " + root.get("analyses"));
        }
        Map<String, Object> other = new LinkedHashMap<>(root);
        KNOWN.forEach(other::remove);
        return new ExperimentDraft(root.get("name") == null ? "" : String.valueOf(root.get("name")), models, provider, dataset,
                root.get("layer") == null ? "" : String.valueOf(root.get("layer")), steps, other);
    }

    /** The experiment file's text. */
    public String toYaml() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", name.isBlank() ? "experiment" : name);
        if (models.size() == 1 && models.containsKey("model")) {
            root.put("model", models.get("model"));
        } else if (!models.isEmpty()) {
            root.put("models", models);
        }
        Map<String, Object> ds = new LinkedHashMap<>();
        ds.put("provider", datasetProvider);
        ds.putAll(datasetParams);
        root.put("dataset", ds);
        root.put("layer", layer);
        root.putAll(other);
        List<Object> steps = new ArrayList<>();
        for (Step s : analyses) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            if (s.name() != null) {
                m.put("name", s.name());
            }
            if (s.layer() != null) {
                m.put("layer", s.layer());
            }
            m.put("params", s.params());
            steps.add(m);
        }
        root.put("analyses", steps);
        return "# Composed in the Polytope Lens Workbench window; runs with `workbench run FILE`.\n" + YAML.writeValueAsString(root);
    }

    /**
     * The same experiment with relative paths made absolute against {@code base} (the directory of
     * its file), for validating or running a draft from elsewhere: model files and the dataset's
     * path parameters ({@code path}, {@code *_path}, {@code labels}), as the core resolves them.
     */
    public ExperimentDraft resolvedAgainst(Path base) {
        Map<String, String> m = new LinkedHashMap<>();
        models.forEach((k, v) -> m.put(k, v.isBlank() ? v : base.resolve(v).normalize().toString()));
        return new ExperimentDraft(name, m, datasetProvider, org.polytopelens.core.ExperimentPaths.resolve(datasetParams, base), layer, analyses, other);
    }

    public ExperimentDraft withName(String n) {
        return new ExperimentDraft(n, models, datasetProvider, datasetParams, layer, analyses, other);
    }

    public ExperimentDraft withModels(Map<String, String> m) {
        return new ExperimentDraft(name, m, datasetProvider, datasetParams, layer, analyses, other);
    }

    public ExperimentDraft withDataset(String provider, Map<String, Object> params) {
        return new ExperimentDraft(name, models, provider, params, layer, analyses, other);
    }

    public ExperimentDraft withLayer(String l) {
        return new ExperimentDraft(name, models, datasetProvider, datasetParams, l, analyses, other);
    }

    public ExperimentDraft withAnalyses(List<Step> steps) {
        return new ExperimentDraft(name, models, datasetProvider, datasetParams, layer, steps, other);
    }
}
