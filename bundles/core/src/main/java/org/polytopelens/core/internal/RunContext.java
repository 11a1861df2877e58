package org.polytopelens.core.internal;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Model;
import org.polytopelens.api.Progress;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.Tensor;

/** What one analysis step sees: the run's models, dataset and encoders, the step's sink and progress. */
final class RunContext implements AnalysisContext {
    private final Map<String, Model> models;
    private final Dataset dataset;
    private final String layer;
    private final boolean datasetInLayerSpace;
    private final Encoders encoders;
    private final ResultSink results;
    private final Engine engine;
    private final Progress progress;
    private final Consumer<String> log;

    private final RowCache cache;

    RunContext(Map<String, Model> models, Dataset dataset, String layer, boolean datasetInLayerSpace, Encoders encoders, ResultSink results, Engine engine,
            Progress progress, Consumer<String> log) {
        this(models, dataset, layer, datasetInLayerSpace, encoders, RowCache.none(), results, engine, progress, log);
    }

    /** @param cache the run's points and codes of dataset examples, shared by its steps */
    RunContext(Map<String, Model> models, Dataset dataset, String layer, boolean datasetInLayerSpace, Encoders encoders, RowCache cache,
            ResultSink results, Engine engine, Progress progress, Consumer<String> log) {
        this.cache = cache;
        this.models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        this.firstModel = models.values().iterator().next();
        this.dataset = dataset;
        this.layer = layer;
        this.datasetInLayerSpace = datasetInLayerSpace;
        this.encoders = encoders;
        this.results = results;
        this.engine = engine;
        this.progress = progress;
        this.log = log;
    }

    private final Model firstModel;

    /** The run's encoders, one per model, planned on first use and shared by the steps. */
    static final class Encoders {
        private final Map<Model, LayerEncoder> byModel = new IdentityHashMap<>();
        private final Function<Model, LayerEncoder> planner;

        Encoders(Function<Model, LayerEncoder> planner) {
            this.planner = planner;
        }

        synchronized LayerEncoder get(Model m) {
            LayerEncoder e = byModel.get(m);
            if (e == null) {
                e = planner.apply(m);
                byModel.put(m, e);
            }
            return e;
        }

        synchronized Map<Model, LayerEncoder> planned() {
            return new IdentityHashMap<>(byModel);
        }
    }

    @Override
    public Model model() {
        return firstModel;
    }

    @Override
    public Map<String, Model> models() {
        return models;
    }

    @Override
    public Dataset dataset() {
        return dataset;
    }

    @Override
    public String layer() {
        return layer;
    }

    @Override
    public Tensor points(Model model, int from, int to) throws Exception {
        if (dataset instanceof org.polytopelens.api.TokenDataset tokens) {
            return cache.points(model, layer, from, to, () -> TokenPoints.gather(model, tokens, layer, from, to));
        }
        if (layer.isEmpty() || datasetInLayerSpace) {
            return dataset.batch(from, to); // read, not computed: nothing to share
        }
        return cache.points(model, layer, from, to, () -> {
            String input = dataset.input().orElseGet(() -> model.info().inputs().get(0).name());
            return model.run(Map.of(input, dataset.batch(from, to)), List.of(layer)).get(layer);
        });
    }

    @Override
    public org.polytopelens.api.data.SplineCodes codes(Model model, int from, int to) throws Exception {
        return cache.hard(model, layer, from, to, () -> encoder(model).hard(points(model, from, to)));
    }

    @Override
    public org.polytopelens.api.data.SoftCodes softCodes(Model model, int from, int to) throws Exception {
        return cache.soft(model, layer, from, to, () -> encoder(model).soft(points(model, from, to)));
    }

    @Override
    public SpaceEncoder encoder(Model model) {
        return encoders.get(model);
    }

    @Override
    public ResultSink results() {
        return results;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public void log(String message) {
        log.accept(message);
    }
}
