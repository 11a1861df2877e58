package org.polytopelens.cli.internal;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options of the commands that run points through a model (codes, activations, density). */
final class PointsOptions {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.onnx).")
    Path model;

    @Option(names = "--inputs", required = true, paramLabel = "X.npy",
            description = "Points, float32 [n, ...]: model inputs, or with --from points of that tensor's space.")
    Path inputs;

    @Option(names = "--from", paramLabel = "T", description = "The tensor whose space X's points are in (default: the model input).")
    String from;

    @Option(names = "--backend", paramLabel = "ID", description = "Model backend id (default: the best one for the file).")
    String backend;

    @Option(names = {"-v", "--verbose"}, description = "Print the run's log on stderr.")
    boolean verbose;

    /** A one-step experiment over these points. */
    AdHocRun run(Env env, String name, Path labels) {
        return new AdHocRun(env, name, model, backend, inputs, labels, from, true);
    }
}
