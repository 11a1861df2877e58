package org.polytopelens.analysis.codes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Table;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * The codes of every dataset example in the layer's space, written to {@code codes.npy}: hard
 * codes as uint8 0/1 {@code [n, bits]}, or packed as numpy's {@code packbits(codes, axis=1)}
 * writes them (uint8 {@code [n, ceil(bits/8)]}), or soft codes as float32 {@code [n, neurons]};
 * plus {@code codes-layout.json} (which columns belong to which site) and a summary table.
 *
 * <p>Batches are shards on the context's engine, run in waves of a few batches per thread; each
 * wave's rows are appended in order to the streaming npy writer, so memory stays bounded by one
 * wave whatever the dataset size. When the layer is a tensor, each batch is first run through the
 * model from its input to that tensor, and those points are coded.
 */
@Component(service = Analysis.class)
@Designate(ocd = CodesAnalysis.Config.class)
public final class CodesAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Spline codes", description = "Codes of every dataset example in the layer's space, written to codes.npy.")
    public @interface Config {
        @AttributeDefinition(name = "Soft", description = "Write soft codes (float32 probabilities per neuron) instead of hard bits.")
        boolean soft() default false;

        @AttributeDefinition(name = "Packed", description = "Hard codes packed 8 per byte as numpy.packbits(codes, axis=1) writes them.")
        boolean packed() default false;

        @AttributeDefinition(name = "Batch size", description = "Examples per batch (one shard of work).", min = "1")
        int batch_size() default 256;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String id() {
        return "codes";
    }

    @Override
    public String name() {
        return "Spline codes";
    }

    @Override
    public String description() {
        return "Hard (or soft) spline codes of every dataset example at the experiment's sites, written to codes.npy with codes-layout.json.";
    }

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        if (c.batch_size() < 1) {
            throw new IllegalArgumentException("batch_size must be >= 1, got " + c.batch_size());
        }
        if (c.soft() && c.packed()) {
            throw new IllegalArgumentException("packed applies to hard codes only; set soft or packed, not both");
        }
        Model model = ctx.model();
        SpaceEncoder encoder = ctx.encoder(model);
        Dataset ds = ctx.dataset();
        int n = ds.size();
        int batch = c.batch_size();
        int batches = (n + batch - 1) / batch;
        // A wave ends with its merge on one thread: hard codes (bits) take waves of 8 batches per
        // thread (~5% less time than 2 at 100,000 codes), soft ones (32 bits a neuron) 2.
        int wave = Math.max(1, ctx.engine().parallelism() * (c.soft() ? 2 : 8));
        Progress progress = ctx.progress();
        String mode = c.soft() ? "soft" : c.packed() ? "packed" : "hard";
        Output output = new Output(mode, n, encoder.sites().size());

        ctx.results().write("codes.npy", out -> {
            output.out = out;
            for (int w0 = 0; w0 < batches; w0 += wave) {
                int first = w0;
                int count = Math.min(wave, batches - w0);
                ctx.engine().run(new Sharded<Object>() {
                    @Override
                    public int shards() {
                        return count;
                    }

                    @Override
                    public Object shard(int index, Progress p) throws Exception {
                        p.checkCancelled();
                        int from = (first + index) * batch;
                        int to = Math.min(n, from + batch);
                        return c.soft() ? ctx.softCodes(model, from, to) : ctx.codes(model, from, to);
                    }

                    @Override
                    public Object merge(List<Object> parts) {
                        try {
                            for (Object part : parts) {
                                output.append(part, encoder);
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return null;
                    }
                }, progress);
                progress.report((double) (w0 + count) / batches, "coded " + Math.min(n, (w0 + count) * batch) + " of " + n + " examples");
            }
            output.finish(encoder);
        });

        CodeLayout layout = encoder.layout();
        List<ActivationSite> sites = encoder.sites();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("layer", ctx.layer());
        j.put("mode", mode);
        j.put("count", n);
        j.put("bits", layout.bits());
        j.put("dtype", c.soft() ? NpyDtype.FLOAT32.descr() : NpyDtype.UINT8.descr());
        j.put("shape", List.of(n, output.width));
        List<Map<String, Object>> sj = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            ActivationSite s = sites.get(i);
            CodeLayout.Segment seg = layout.segments().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("site", s.name());
            m.put("op", s.op());
            m.put("preactivation", s.preactivation());
            m.put("shape", s.shape());
            m.put("offset", seg.offset());
            m.put("bits", seg.bits());
            m.put("neurons", s.neurons()); // soft codes use the same columns as the bits: offset, bits
            double on = n == 0 ? 0 : output.on[i] / ((double) n * seg.bits());
            m.put("meanOn", on);
            sj.add(m);
            rows.add(List.of(s.name(), s.op(), seg.offset(), seg.bits(), on));
        }
        j.put("sites", sj);
        ctx.results().write("codes-layout.json", out -> JSON.writeValue(out, j));
        ctx.results().publish(new Table("codes-summary", "Spline codes: " + n + " examples, " + layout.bits() + " bits (" + mode + ")",
                List.of("site", "op", "offset", "bits", c.soft() ? "mean p(on)" : "fraction on"), rows));
        ctx.log("codes.npy: " + n + " x " + output.width + " (" + mode + ")");
    }

    /** The streaming writer, opened on the first part (whose width fixes the header). */
    private static final class Output {
        final String mode;
        final int n;
        final double[] on;
        OutputStream out;
        NpyWriter writer;
        int width;
        int[] softWidths;

        Output(String mode, int n, int sites) {
            this.mode = mode;
            this.n = n;
            this.on = new double[sites];
        }

        void open(int w) throws IOException {
            width = w;
            writer = NpyWriter.to(out, mode.equals("soft") ? NpyDtype.FLOAT32 : NpyDtype.UINT8, new long[] {n, w});
        }

        void append(Object part, SpaceEncoder encoder) throws IOException {
            CodeLayout layout = encoder.layout();
            if (part instanceof SoftCodes s) {
                if (writer == null) {
                    open(s.neurons());
                    softWidths = softWidths(encoder, s.neurons());
                }
                writer.append(s.p());
                int at = 0;
                for (int i = 0; i < softWidths.length; i++) {
                    double sum = 0;
                    for (int r = 0; r < s.count(); r++) {
                        for (int k = 0; k < softWidths[i]; k++) {
                            sum += s.p()[r * s.neurons() + at + k];
                        }
                    }
                    on[i] += sum;
                    at += softWidths[i];
                }
                return;
            }
            SplineCodes codes = (SplineCodes) part;
            int bits = codes.bits();
            if (writer == null) {
                open(mode.equals("packed") ? (bits + 7) >>> 3 : bits);
            }
            // Merging runs between waves, on one thread: word-wise here (popcounts, byte-reversed
            // words), bit by bit it took half of a 100,000-point run.
            for (int i = 0; i < layout.segments().size(); i++) {
                CodeLayout.Segment seg = layout.segments().get(i);
                on[i] += codes.ones(seg.offset(), seg.offset() + seg.bits());
            }
            if (mode.equals("packed")) {
                writer.append(codes.packbits());
                return;
            }
            byte[] rows = new byte[Math.multiplyExact(codes.count(), bits)];
            long[] words = codes.words();
            int wpr = codes.wordsPerRow();
            for (int r = 0; r < codes.count(); r++) {
                for (int k = 0; k < bits; k++) {
                    rows[r * bits + k] = (byte) (words[r * wpr + (k >>> 6)] >>> (k & 63) & 1L);
                }
            }
            writer.append(rows);
        }

        /**
         * Columns per site for soft codes: the site's bit count, since every coder's soft code
         * has one value per hard bit (a Clip neuron's two bits, a MaxPool output's index bits).
         */
        private static int[] softWidths(SpaceEncoder encoder, int total) {
            return encoder.layout().segments().stream().mapToInt(CodeLayout.Segment::bits).toArray();
        }

        void finish(SpaceEncoder encoder) throws IOException {
            if (writer == null) { // no examples: the width comes from the layout
                int bits = encoder.layout().bits();
                open(mode.equals("packed") ? (bits + 7) >>> 3 : bits);
            }
            writer.close();
        }
    }
}
