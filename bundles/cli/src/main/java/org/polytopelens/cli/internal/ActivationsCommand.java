package org.polytopelens.cli.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "activations", mixinStandardHelpOptions = true,
        description = "Values of any tensor of a model for a batch of points, as float32 .npy [n, ...]. Streams.")
final class ActivationsCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Mixin
    PointsOptions points;

    @Option(names = "--tensor", required = true, paramLabel = "T", description = "The tensor to fetch ('workbench inspect MODEL --json' lists them).")
    String tensor;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Points per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "A.npy", description = "Output file (written atomically).")
    Path out;

    ActivationsCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        AdHocRun run = points.run(env, "activations", null);
        int rc = run.run("activations", Map.of("tensor", tensor, "batch_size", batchSize), "activations.npy", out, points.verbose,
                spec.commandLine().getErr());
        if (rc == 0) {
            spec.commandLine().getOut().println(env.resolve(out));
        }
        return rc;
    }
}
