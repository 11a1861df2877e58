package org.polytopelens.cli.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "codes", mixinStandardHelpOptions = true,
        description = {"Spline codes of points: hard uint8 0/1 [n, bits] (default), packed uint8 [n, ceil(bits/8)]",
            "as numpy.packbits(codes, axis=1), or soft float32 [n, neurons]. Streams: memory stays bounded for any n."})
final class CodesCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Mixin
    PointsOptions points;

    @Option(names = "--sites", split = ",", paramLabel = "SITE", description = "Sites to code (default: every gating site downstream, graph order).")
    List<String> sites;

    @Option(names = "--coders", split = ",", paramLabel = "ID", description = "Coder ids in preference order (default: every coder).")
    List<String> coders;

    @Option(names = "--soft", description = "Soft (probabilistic) codes.")
    boolean soft;

    @Option(names = "--packed", description = "Hard codes packed 8 per byte.")
    boolean packed;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Points per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "C.npy", description = "Output file (written atomically).")
    Path out;

    CodesCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        AdHocRun run = points.run(env, "codes", null);
        if (sites != null) {
            run.put("sites", sites);
        }
        if (coders != null) {
            run.put("coders", coders);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("soft", soft);
        params.put("packed", packed);
        params.put("batch_size", batchSize);
        int rc = run.run("codes", params, "codes.npy", out, points.verbose, spec.commandLine().getErr());
        if (rc == 0) {
            spec.commandLine().getOut().println(env.resolve(out));
        }
        return rc;
    }
}
