package org.polytopelens.analysis.codes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * The values of one tensor (an activation, a pre-activation, any intermediate) for every dataset
 * example, written to {@code activations.npy} as float32 {@code [n, ...]}. Streams like the codes
 * analysis: batches are shards, appended in order, so memory stays bounded.
 */
@Component(service = Analysis.class)
@Designate(ocd = ActivationsAnalysis.Config.class)
public final class ActivationsAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Activations", description = "Values of one tensor for every dataset example, written to activations.npy.")
    public @interface Config {
        @AttributeDefinition(name = "Tensor", description = "The tensor to fetch (see 'workbench inspect MODEL --json', tensors).")
        String tensor();

        @AttributeDefinition(name = "Output file", description = "File name in the run directory.")
        String file() default "activations.npy";

        @AttributeDefinition(name = "Batch size", description = "Examples per batch (one shard of work).", min = "1")
        int batch_size() default 256;
    }

    @Override
    public String id() {
        return "activations";
    }

    @Override
    public String name() {
        return "Activations";
    }

    @Override
    public String description() {
        return "Values of any tensor (activation, pre-activation, layer output) for every dataset example, written as float32 .npy.";
    }

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        if (c.batch_size() < 1) {
            throw new IllegalArgumentException("batch_size must be >= 1, got " + c.batch_size());
        }
        Model model = ctx.model();
        if (!model.info().tensors().contains(c.tensor())) {
            throw new IllegalArgumentException("no tensor '" + c.tensor() + "' in the model"
                    + org.polytopelens.api.data.ModelInfo.didYouMean(c.tensor(), ctx.model().info().tensors()) + "; see 'workbench inspect MODEL --json' for its tensors");
        }
        // Points of the layer's space are fed as the layer tensor (or the model input when the layer is "").
        String feed = ctx.layer().isEmpty() ? model.info().inputs().get(0).name() : ctx.layer();
        int n = ctx.dataset().size();
        int batch = c.batch_size();
        int batches = (n + batch - 1) / batch;
        int wave = Math.max(1, ctx.engine().parallelism() * 2);
        NpyWriter[] writer = new NpyWriter[1];
        ctx.results().write(c.file(), out -> {
            for (int w0 = 0; w0 < batches; w0 += wave) {
                int first = w0;
                int count = Math.min(wave, batches - w0);
                ctx.engine().run(new Sharded<Tensor>() {
                    @Override
                    public int shards() {
                        return count;
                    }

                    @Override
                    public Tensor shard(int index, org.polytopelens.api.Progress p) throws Exception {
                        p.checkCancelled();
                        int from = (first + index) * batch;
                        Tensor points = ctx.points(model, from, Math.min(n, from + batch));
                        return feed.equals(c.tensor()) ? points : model.run(Map.of(feed, points), List.of(c.tensor())).get(c.tensor());
                    }

                    @Override
                    public Tensor merge(List<Tensor> parts) {
                        try {
                            for (Tensor t : parts) {
                                if (writer[0] == null) {
                                    long[] shape = t.shape().clone();
                                    shape[0] = n;
                                    writer[0] = NpyWriter.to(out, NpyDtype.FLOAT32, shape);
                                }
                                writer[0].append(t.data());
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return null;
                    }
                }, ctx.progress());
                ctx.progress().report((double) (w0 + count) / batches, "fetched " + Math.min(n, (w0 + count) * batch) + " of " + n);
            }
            if (writer[0] == null) {
                throw new IllegalArgumentException("the dataset is empty: nothing to write");
            }
            writer[0].close();
        });
        ctx.log(c.file() + ": " + n + " examples of tensor " + c.tensor());
    }
}
