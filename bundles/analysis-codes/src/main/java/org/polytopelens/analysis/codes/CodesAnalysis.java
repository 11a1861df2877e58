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
                    public Part shard(int index, Progress p) throws Exception {
                        p.checkCancelled();
                        int from = (first + index) * batch;
                        int to = Math.min(n, from + batch);
                        return Part.of(c.soft() ? ctx.softCodes(model, from, to) : ctx.codes(model, from, to), mode, encoder.layout());
                    }

                    @Override
                    public Object merge(List<Object> parts) {
                        try {
                            for (Object part : parts) {
                                output.append((Part) part);
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

    /**
     * A batch made ready for the file on its engine thread (the merge between waves runs on one
     * thread while the others wait: it only appends): the row width, the file's bytes (packed or
     * 0/1 bits) or floats (soft), and the sum of the values per site.
     */
    private record Part(int width, byte[] bytes, float[] floats, double[] on) {
        static Part of(Object codes, String mode, CodeLayout layout) {
            List<CodeLayout.Segment> segments = layout.segments();
            double[] on = new double[segments.size()];
            if (codes instanceof SoftCodes s) {
                // Soft codes use the bits' columns: one value per hard bit (a Clip neuron's two, a MaxPool output's index bits).
                for (int i = 0; i < on.length; i++) {
                    CodeLayout.Segment seg = segments.get(i);
                    double sum = 0;
                    for (int r = 0; r < s.count(); r++) {
                        for (int k = 0; k < seg.bits(); k++) {
                            sum += s.p()[r * s.neurons() + seg.offset() + k];
                        }
                    }
                    on[i] = sum;
                }
                return new Part(s.neurons(), null, s.p(), on);
            }
            SplineCodes c = (SplineCodes) codes;
            for (int i = 0; i < on.length; i++) { // popcounts of masked words
                CodeLayout.Segment seg = segments.get(i);
                on[i] = c.ones(seg.offset(), seg.offset() + seg.bits());
            }
            int bits = c.bits();
            if (mode.equals("packed")) {
                return new Part((bits + 7) >>> 3, c.packbits(), null, on);
            }
            byte[] rows = new byte[Math.multiplyExact(c.count(), bits)];
            long[] words = c.words();
            int wpr = c.wordsPerRow();
            for (int r = 0; r < c.count(); r++) {
                for (int k = 0; k < bits; k++) {
                    rows[r * bits + k] = (byte) (words[r * wpr + (k >>> 6)] >>> (k & 63) & 1L);
                }
            }
            return new Part(bits, rows, null, on);
        }
    }

    /** The streaming writer, opened on the first part (whose width fixes the header). */
    private static final class Output {
        final String mode;
        final int n;
        final double[] on;
        OutputStream out;
        NpyWriter writer;
        int width;

        Output(String mode, int n, int sites) {
            this.mode = mode;
            this.n = n;
            this.on = new double[sites];
        }

        void open(int w) throws IOException {
            width = w;
            writer = NpyWriter.to(out, mode.equals("soft") ? NpyDtype.FLOAT32 : NpyDtype.UINT8, new long[] {n, w});
        }

        void append(Part part) throws IOException {
            if (writer == null) {
                open(part.width());
            }
            if (part.floats() != null) {
                writer.append(part.floats());
            } else {
                writer.append(part.bytes());
            }
            for (int i = 0; i < on.length; i++) {
                on[i] += part.on()[i];
            }
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
