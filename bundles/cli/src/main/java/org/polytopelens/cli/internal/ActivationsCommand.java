package org.polytopelens.cli.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "activations", mixinStandardHelpOptions = true,
        description = "Values of any tensor of a model for a batch of points, as float32 .npy [n, ...]. Streams.")
final class ActivationsCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.onnx).")
    Path model;

    @Option(names = "--inputs", required = true, paramLabel = "X.npy", description = "Points, float32 [n, ...]: model inputs, or with --from points of that tensor's space.")
    Path inputs;

    @Option(names = "--tensor", required = true, paramLabel = "T", description = "The tensor to fetch ('workbench inspect MODEL --json' lists them).")
    String tensor;

    @Option(names = "--from", paramLabel = "L", description = "The tensor whose space X's points are in (default: the model input).")
    String from;

    @Option(names = "--backend", paramLabel = "ID", description = "Model backend id (default: the best one for the file).")
    String backend;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Points per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "A.npy", description = "Output file (written atomically).")
    Path out;

    @Option(names = {"-v", "--verbose"}, description = "Print the run's log on stderr.")
    boolean verbose;

    ActivationsCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        AdHocRun run = new AdHocRun(env, "activations", model, backend, inputs, from, true);
        int rc = run.run("activations", Map.of("tensor", tensor, "batch_size", batchSize), "activations.npy", out, verbose,
                spec.commandLine().getErr());
        if (rc == 0) {
            spec.commandLine().getOut().println(env.resolve(out));
        }
        return rc;
    }
}
