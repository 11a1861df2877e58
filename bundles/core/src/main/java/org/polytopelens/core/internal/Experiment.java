package org.polytopelens.core.internal;

import org.polytopelens.core.ExperimentPaths;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed experiment file. Relative paths are already resolved against the file's directory:
 * the model files, and in every provider's parameters each string value whose key is {@code path},
 * ends in {@code _path} or {@code .path}, or is {@code labels}.
 *
 * @param models model files by role, in file order ({@code model: x} is role {@code "model"})
 * @param backend backend id, or null for the highest-priority backend per model file
 * @param datasetInLayerSpace the dataset's rows are already points of the layer's space
 *     ({@code dataset_space: layer}), not model inputs ({@code dataset_space: input}, the default)
 * @param sites site names, or null for every site downstream of the layer
 * @param coders coder ids in preference order, or null for every registered coder
 * @param timeLimitSeconds default per-step time limit, 0 for none
 * @param visualizers parameters per visualizer id ({@code visualizers: {jfreechart: {width: 1200}}});
 *     visualizers not named run with their defaults
 * @param reports parameters per reporter id ({@code reports: {html: {title: ...}}}): only the named
 *     reporters run ({@code reports: {}}: none); null when the key is absent: every reporter, defaults
 * @param hashInputs whether run.json records the SHA-256 of the model and dataset files ({@code
 *     hash_inputs: false} skips it: the ad-hoc CLI commands, whose run record is discarded; 0.25 s
 *     for a 314 MB dataset)
 */
public record Experiment(String name, Map<String, Path> models, String backend, Map<String, Object> backendParams, String dataset,
        Map<String, Object> datasetParams, String layer, boolean datasetInLayerSpace, List<String> sites, List<String> coders, long timeLimitSeconds, List<Step> steps,
        Map<String, Map<String, Object>> visualizers, Map<String, Map<String, Object>> reports, boolean hashInputs) {

    /** One analysis step: provider id, raw parameters, time limit in seconds (0 = the default). */
    /**
     * @param layer the step's own layer, or null for the experiment's
     * @param name the step's name, or null: a named step writes into the subdirectory of that name
     */
    public record Step(String id, Map<String, Object> params, long timeLimitSeconds, String layer, String name) {
        public Step(String id, Map<String, Object> params, long timeLimitSeconds) {
            this(id, params, timeLimitSeconds, null, null);
        }
    }

    static final List<String> KEYS = List.of("name", "model", "models", "backend", "dataset", "layer", "dataset_space", "sites", "coders", "analyses", "visualizers",
            "reports", "time_limit_seconds", "hash_inputs");
    private static final List<String> STEP_KEYS = List.of("id", "params", "time_limit_seconds", "layer", "name");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Parses {@code text}; every problem found goes into one {@link IllegalArgumentException}. */
    public static Experiment parse(String text, Path file) {
        Object root;
        try {
            root = YAML.readValue(text, Object.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + ": an experiment is a YAML mapping with keys " + KEYS);
        }
        Path base = file.toAbsolutePath().getParent();
        List<String> problems = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                problems.add("unknown key '" + k + "'; valid keys: " + KEYS);
            }
        }
        String fileName = file.getFileName().toString();
        String name = m.containsKey("name") ? String.valueOf(m.get("name")) : fileName.replaceFirst("\\.[^.]*$", "");

        Map<String, Path> models = new LinkedHashMap<>();
        if (m.containsKey("model") && m.containsKey("models")) {
            problems.add("give either 'model' (one file) or 'models' (role: file), not both");
        } else if (m.get("model") instanceof String s && !s.isBlank()) {
            models.put("model", base.resolve(s).normalize());
        } else if (m.get("models") instanceof Map<?, ?> mm && !mm.isEmpty()) {
            mm.forEach((role, p) -> {
                if (p instanceof String s && !s.isBlank()) {
                    models.put(String.valueOf(role), base.resolve(s).normalize());
                } else {
                    problems.add("models." + role + ": expected a file path, got " + p);
                }
            });
        } else {
            problems.add("missing 'model: FILE' (or 'models: {role: FILE, ...}')");
        }

        String backend = null;
        Map<String, Object> backendParams = new LinkedHashMap<>();
        Object b = m.get("backend");
        if (b instanceof String s) {
            backend = s;
        } else if (b instanceof Map<?, ?> bm) {
            backendParams = params(bm, "backend", "id", problems);
            backend = (String) backendParams.remove("id");
            if (backend == null) {
                problems.add("backend: missing 'id' (e.g. backend: {id: onnxruntime, ...})");
            }
        } else if (b != null) {
            problems.add("backend: expected a backend id or {id: ..., params...}, got " + b);
        }

        String dataset = null;
        Map<String, Object> datasetParams = new LinkedHashMap<>();
        if (m.get("dataset") instanceof Map<?, ?> dm) {
            datasetParams = params(dm, "dataset", "provider", problems);
            dataset = (String) datasetParams.remove("provider");
            if (dataset == null) {
                problems.add("dataset: missing 'provider' (e.g. dataset: {provider: npy, path: x.npy})");
            }
        } else {
            problems.add("missing 'dataset: {provider: ID, ...parameters}'");
        }

        Object layerValue = m.get("layer");
        String layer = layerValue == null ? "" : String.valueOf(layerValue);
        Object space = m.containsKey("dataset_space") ? m.get("dataset_space") : "input";
        if (!List.of("input", "layer").contains(String.valueOf(space))) {
            problems.add("dataset_space: expected 'input' (the dataset holds model inputs) or 'layer' (it holds points of the layer's space), got '"
                    + space + "'");
        }
        boolean inLayerSpace = "layer".equals(String.valueOf(space));
        if (inLayerSpace && layer.isEmpty()) {
            problems.add("dataset_space: layer needs a 'layer' (the tensor whose points the dataset holds)");
        }
        List<String> sites = stringList(m.get("sites"), "sites", problems);
        List<String> coders = stringList(m.get("coders"), "coders", problems);
        long limit = seconds(m.get("time_limit_seconds"), "time_limit_seconds", problems);
        Map<String, Map<String, Object>> visualizers = new LinkedHashMap<>();
        if (m.get("visualizers") instanceof Map<?, ?> vm) {
            vm.forEach((id, params) -> {
                if (params instanceof Map<?, ?> pm) {
                    visualizers.put(String.valueOf(id), params(pm, "visualizers." + id, null, problems));
                } else {
                    problems.add("visualizers." + id + ": expected a mapping of parameters, got " + params);
                }
            });
        } else if (m.get("visualizers") != null) {
            problems.add("visualizers: expected {VISUALIZER_ID: {parameters}}, got " + m.get("visualizers"));
        }
        Map<String, Map<String, Object>> reports = null;
        if (m.get("reports") instanceof Map<?, ?> rm) {
            reports = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : rm.entrySet()) {
                if (e.getValue() == null || e.getValue() instanceof Map<?, ?>) {
                    reports.put(String.valueOf(e.getKey()), e.getValue() == null ? Map.of() : params((Map<?, ?>) e.getValue(), "reports." + e.getKey(), null, problems));
                } else {
                    problems.add("reports." + e.getKey() + ": expected a mapping of parameters, got " + e.getValue());
                }
            }
        } else if (m.containsKey("reports")) {
            problems.add("reports: expected {REPORTER_ID: {parameters}} ({} for no report), got " + m.get("reports"));
        }

        Object hash = m.containsKey("hash_inputs") ? m.get("hash_inputs") : Boolean.TRUE;
        if (!(hash instanceof Boolean)) {
            problems.add("hash_inputs: expected true (run.json records each input file's SHA-256) or false, got " + hash);
        }

        List<Step> steps = new ArrayList<>();
        if (m.get("analyses") instanceof List<?> l && !l.isEmpty()) {
            for (int i = 0; i < l.size(); i++) {
                Object s = l.get(i);
                String where = "analyses[" + i + "]";
                if (s instanceof String id) {
                    steps.add(new Step(id, Map.of(), 0));
                } else if (s instanceof Map<?, ?> sm) {
                    for (Object k : sm.keySet()) {
                        if (!STEP_KEYS.contains(String.valueOf(k))) {
                            problems.add(where + ": unknown key '" + k + "'; valid keys: " + STEP_KEYS + " (parameters go under 'params')");
                        }
                    }
                    Object id = sm.get("id");
                    if (!(id instanceof String)) {
                        problems.add(where + ": missing 'id' (an analysis id)");
                        continue;
                    }
                    Map<String, Object> p = new LinkedHashMap<>();
                    if (sm.get("params") instanceof Map<?, ?> pm) {
                        p = params(pm, where + ".params", null, problems);
                    } else if (sm.get("params") != null) {
                        problems.add(where + ".params: expected a mapping of parameters, got " + sm.get("params"));
                    }
                    String stepLayer = sm.get("layer") == null ? null : String.valueOf(sm.get("layer"));
                    Object rawName = sm.get("name");
                    String stepName = rawName == null ? null : String.valueOf(rawName);
                    if (stepName != null && !stepName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                        problems.add(where + ".name: a directory name of letters, digits, '.', '_' and '-', got '" + stepName + "'");
                        stepName = null;
                    } else if (stepName != null && steps.stream().map(Step::name).anyMatch(stepName::equals)) {
                        problems.add(where + ".name: '" + stepName + "' names another step too; names must be unique");
                    }
                    steps.add(new Step((String) id, p, seconds(sm.get("time_limit_seconds"), where + ".time_limit_seconds", problems), stepLayer,
                            stepName));
                } else {
                    problems.add(where + ": expected an analysis id or {id: ..., params: {...}}, got " + s);
                }
            }
        } else {
            problems.add("missing 'analyses: [{id: ANALYSIS, params: {...}}, ...]'");
        }
        if (inLayerSpace && steps.stream().anyMatch(x -> x.layer() != null && !x.layer().equals(layer))) {
            problems.add("dataset_space: layer: the dataset holds points of layer '" + layer + "', so steps cannot choose another layer");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file + ":\n  - " + String.join("\n  - ", problems));
        }
        return new Experiment(name, models, backend, resolve(backendParams, base), dataset, resolve(datasetParams, base), layer, inLayerSpace, sites, coders,
                limit, steps.stream().map(s -> new Step(s.id(), resolve(s.params(), base), s.timeLimitSeconds(), s.layer(), s.name())).toList(), visualizers, reports,
                !Boolean.FALSE.equals(hash));
    }

    private static Map<String, Object> params(Map<?, ?> raw, String where, String idKey, List<String> problems) {
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (k == null) {
                problems.add(where + ": empty key");
            } else if (v == null && !String.valueOf(k).equals(idKey)) {
                problems.add(where + "." + k + ": no value");
            } else {
                out.put(String.valueOf(k), v);
            }
        });
        return out;
    }

    private static List<String> stringList(Object v, String where, List<String> problems) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
            return l.stream().map(String.class::cast).toList();
        }
        problems.add(where + ": expected a list of names, got " + v);
        return null;
    }

    private static long seconds(Object v, String where, List<String> problems) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Number n && n.longValue() > 0 && n.doubleValue() == n.longValue()) {
            return n.longValue();
        }
        problems.add(where + ": expected a positive whole number of seconds, got " + v);
        return 0;
    }

    /** Whether a parameter holds a path to resolve (see {@link ExperimentPaths}). */
    public static boolean isPathKey(String key) {
        return ExperimentPaths.isPathKey(key);
    }

    static Map<String, Object> resolve(Map<String, Object> params, Path base) {
        return ExperimentPaths.resolve(params, base);
    }

    /** Files named by path parameters of {@code params} (for presence checks and hashes). */
    static List<Path> files(Map<String, Object> params) {
        List<Path> out = new ArrayList<>();
        params.forEach((k, v) -> {
            if (isPathKey(k) && v instanceof String s && !s.isBlank()) {
                out.add(Path.of(s));
            }
        });
        return out;
    }
}
