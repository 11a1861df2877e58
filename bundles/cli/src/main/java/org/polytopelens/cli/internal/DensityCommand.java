package org.polytopelens.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "density", mixinStandardHelpOptions = true,
        description = {"Polytope density between pairs (Prediction 2): hamming(codes) / euclidean distance, normalised by the",
            "mean over all pairs; intra- vs inter-class means with bootstrap CIs and Welch's t-test."})
final class DensityCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Mixin
    PointsOptions points;

    @Option(names = "--labels", required = true, paramLabel = "y.npy", description = "Class labels, integer [n].")
    Path labels;

    @Option(names = "--pairs", defaultValue = "20000", description = "Pairs sampled (0 = all pairs; default ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the pair sample and the bootstrap (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--soft", description = "Soft codes and expected Hamming distance (for GELU/SiLU networks).")
    boolean soft;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    DensityCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        AdHocRun run = points.run(env, "density", labels);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("pairs", pairs);
        params.put("seed", seed);
        params.put("confidence", 0.99);
        params.put("soft", soft);
        JsonNode[] result = new JsonNode[1];
        int rc = run.run("density", params, points.verbose, spec.commandLine().getErr(),
                dir -> result[0] = Commands.JSON.readTree(Files.readAllBytes(dir.resolve("density.json"))));
        if (rc != 0) {
            return rc;
        }
        JsonNode m = result[0].path("models").elements().next();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pairs", m.path("pairs").asLong());
        out.put("skipped", m.path("skipped").asLong());
        out.put("intra_normalized", m.path("intra").path("mean").asDouble());
        out.put("inter_normalized", m.path("inter").path("mean").asDouble());
        Map<String, Object> ci = new LinkedHashMap<>();
        ci.put("intra", new double[] {m.path("intra").path("ci_low").asDouble(), m.path("intra").path("ci_high").asDouble()});
        ci.put("inter", new double[] {m.path("inter").path("ci_low").asDouble(), m.path("inter").path("ci_high").asDouble()});
        out.put("ci99", ci);
        Map<String, Object> welch = new LinkedHashMap<>();
        welch.put("t", m.path("welch").path("t").asDouble());
        welch.put("df", m.path("welch").path("df").asDouble());
        welch.put("p", m.path("welch").path("p").asDouble());
        out.put("welch", welch);
        var o = spec.commandLine().getOut();
        if (json) {
            o.println(Commands.JSON.writeValueAsString(out));
        } else {
            o.printf("pairs %d (skipped %d)%n", m.path("pairs").asLong(), m.path("skipped").asLong());
            o.printf("intra-class  %.4f  99%% CI [%.4f, %.4f]  (n=%d)%n", m.path("intra").path("mean").asDouble(),
                    m.path("intra").path("ci_low").asDouble(), m.path("intra").path("ci_high").asDouble(), m.path("intra").path("n").asLong());
            o.printf("inter-class  %.4f  99%% CI [%.4f, %.4f]  (n=%d)%n", m.path("inter").path("mean").asDouble(),
                    m.path("inter").path("ci_low").asDouble(), m.path("inter").path("ci_high").asDouble(), m.path("inter").path("n").asLong());
            o.printf("Welch t(%.1f) = %.3f, p = %.3g%n", m.path("welch").path("df").asDouble(), m.path("welch").path("t").asDouble(),
                    m.path("welch").path("p").asDouble());
        }
        return 0;
    }
}
