package org.polytopelens.cli.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.npy.NpyReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "regions", mixinStandardHelpOptions = true,
        description = {"Exact walk of the segment a -> b: every polytope boundary crossed (parameter t, site, neuron).",
            "Needs a backend with exact geometry (the nd4j feature). Row i of A and B gives segment i."})
final class RegionsCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.onnx).")
    Path model;

    @Option(names = "--a", required = true, paramLabel = "A.npy", description = "Segment start(s), float32 [n, ...] or one point [...].")
    Path a;

    @Option(names = "--b", required = true, paramLabel = "B.npy", description = "Segment end(s), same shape as A.")
    Path b;

    @Option(names = "--from", paramLabel = "T", description = "The tensor whose space the points are in (default: the model input).")
    String from;

    @Option(names = "--sites", split = ",", paramLabel = "SITE", description = "Sites whose boundaries count (default: every site downstream).")
    List<String> sites;

    @Option(names = "--backend", paramLabel = "ID", description = "Backend id (default: the best backend with exact geometry).")
    String backend;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    RegionsCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ExtensionRegistry registry = env.requireRegistry();
        Path file = env.resolve(model);
        float[][] as = points(env.resolve(a), "--a");
        float[][] bs = points(env.resolve(b), "--b");
        if (as.length != bs.length || as[0].length != bs[0].length) {
            throw new IllegalArgumentException("--a holds " + as.length + " points of " + as[0].length + " values, --b " + bs.length + " of "
                    + bs[0].length + "; they must match");
        }
        for (int i = 0; i < as.length; i++) {
            if (java.util.Arrays.equals(as[i], bs[i])) {
                throw new IllegalArgumentException("segment " + i + " has zero length (a == b)");
            }
        }
        List<String> tried = new ArrayList<>();
        for (ModelBackend candidate : candidates(registry, file)) {
            try (Model m = candidate.open(file, registry.validate(candidate, Map.of()))) {
                PiecewiseLinear pl = m.piecewiseLinear().orElse(null);
                if (pl == null) {
                    tried.add(candidate.id() + " (no exact geometry)");
                    continue;
                }
                String space = from != null ? from : m.info().inputs().get(0).name();
                List<Map<String, Object>> segments = new ArrayList<>();
                for (int i = 0; i < as.length; i++) {
                    segments.add(report(pl.walk(space, as[i], bs[i], sites == null ? List.of() : sites)));
                }
                print(segments, candidate.id());
                return 0;
            }
        }
        throw new IllegalStateException("no model backend offers exact geometry for " + file + "; tried: " + tried
                + ". The nd4j feature provides one (in the default features; see etc/workbench.properties).");
    }

    private List<ModelBackend> candidates(ExtensionRegistry registry, Path file) {
        if (backend != null) {
            return List.of(registry.provider(ModelBackend.class, backend));
        }
        return registry.providers(ModelBackend.class).stream()
                .filter(x -> x.priority(file) >= 0)
                .sorted(Comparator.comparingInt((ModelBackend x) -> x.priority(file)).reversed())
                .toList();
    }

    private static Map<String, Object> report(List<Crossing> crossings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("boundaries", crossings.size());
        m.put("regions", crossings.size() + 1);
        m.put("t", crossings.stream().map(Crossing::t).toList());
        List<Map<String, Object>> flips = new ArrayList<>();
        for (Crossing c : crossings) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("t", c.t());
            f.put("site", c.site());
            f.put("neuron", c.neuron());
            flips.add(f);
        }
        m.put("flips", flips);
        return m;
    }

    private void print(List<Map<String, Object>> segments, String backendId) throws Exception {
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Commands.JSON.writeValueAsString(segments.size() == 1 ? segments.get(0) : Map.of("segments", segments)));
            return;
        }
        for (int i = 0; i < segments.size(); i++) {
            Map<String, Object> s = segments.get(i);
            out.printf("segment %d: %s boundaries, %s regions (exact, backend %s)%n", i, s.get("boundaries"), s.get("regions"), backendId);
        }
    }

    /** Rows of a float .npy; a single point without a batch axis is one row. NaN/Inf are refused by row. */
    static float[][] points(Path file, String option) throws Exception {
        try (NpyReader r = NpyReader.open(file)) {
            long[] shape = r.shape();
            boolean single = shape.length == 1;
            int rows = single ? 1 : Math.toIntExact(r.rows());
            if (rows == 0) {
                throw new IllegalArgumentException(option + " " + file + " holds no points");
            }
            float[] all = single ? r.readFloats(0, shape[0]) : r.readFloats(0, rows);
            int w = all.length / rows;
            float[][] out = new float[rows][];
            for (int i = 0; i < rows; i++) {
                out[i] = java.util.Arrays.copyOfRange(all, i * w, (i + 1) * w);
                for (float v : out[i]) {
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException(option + " " + file + ": row " + i + " holds " + v + "; points must be finite");
                    }
                }
            }
            return out;
        }
    }
}
