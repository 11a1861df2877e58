package org.polytopelens.cli.internal;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Trainer;
import org.polytopelens.api.data.TrainedModel;
import org.polytopelens.core.ExtensionRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains a ReLU classifier (MLP or ConvNet) on labelled images with a seed and writes MODEL.onnx, its untrained",
            "twin MODEL-init.onnx (same architecture, initial weights) and MODEL.json (accuracies, losses, data, settings).",
            "Default data: the 10,000 sample MNIST digits, 8,000 to train and 2,000 held back (seeded split)."})
final class TrainCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Option(names = "--architecture", defaultValue = "mlp", description = "mlp or cnn (default ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--out", required = true, paramLabel = "MODEL.onnx", description = "The trained model's file; the twin and the record go beside it.")
    Path out;

    @Option(names = "--images", defaultValue = "samples/data/mnist-10k-images-idx3-ubyte.gz", description = "IDX images (default ${DEFAULT-VALUE}).")
    Path images;

    @Option(names = "--labels", defaultValue = "samples/data/mnist-10k-labels-idx1-ubyte.gz", description = "IDX labels (default ${DEFAULT-VALUE}).")
    Path labels;

    @Option(names = "--test-size", defaultValue = "2000", description = "Examples held back for testing (default ${DEFAULT-VALUE}).")
    int testSize;

    @Option(names = "--split-seed", defaultValue = "20221122", description = "Seed of the train/test split (default ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = {"A trainer parameter, e.g. --param epochs=12 --param hidden=128,64;",
        "see 'workbench plugins' for the trainer's parameters."})
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N training examples only (quick runs; default all).")
    int limit;

    @Option(names = "--trainer", defaultValue = "nd4j", description = "Trainer plugin id (default ${DEFAULT-VALUE}).")
    String trainer;

    @Option(names = "--dataset", defaultValue = "idx", description = "Dataset plugin id reading the images (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--json", description = "Print the training record as JSON on stdout.")
    boolean json;

    TrainCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ExtensionRegistry registry = env.requireRegistry();
        Trainer t = registry.provider(Trainer.class, trainer);
        DatasetProvider provider = registry.provider(DatasetProvider.class, dataset);
        Path model = env.resolve(out);
        if (!model.getFileName().toString().endsWith(".onnx")) {
            throw new IllegalArgumentException("--out must name an .onnx file, got " + out);
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("architecture", architecture);
        for (Map.Entry<String, String> e : params.entrySet()) {
            raw.put(e.getKey(), e.getValue().contains(",") ? List.of(e.getValue().split(",")) : e.getValue());
        }
        var trainerParams = registry.validate(t, raw);
        String layout = architecture.equals("cnn") ? "image" : "flat";
        Path img = env.resolve(images);
        Path lab = env.resolve(labels);
        Map<String, Object> data = new LinkedHashMap<>(Map.of("path", img.toString(), "labels", lab.toString(),
                "test_size", testSize, "seed", splitSeed, "layout", layout));
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        TrainedModel r;
        data.put("split", "train");
        data.put("limit", limit);
        try (Dataset train = provider.open(registry.validate(provider, data))) {
            data.put("split", "test");
            data.put("limit", 0);
            try (Dataset test = provider.open(registry.validate(provider, data))) {
                err.printf("training %s on %d examples (%d held back) ...%n", architecture, train.size(), test.size());
                r = t.train(train, test, trainerParams, model, new Progress() {
                    private long last;

                    @Override
                    public void report(double fraction, String message) {
                        long now = System.nanoTime();
                        if (now - last > 2_000_000_000L || fraction >= 1) {
                            last = now;
                            err.printf("  %3.0f%%  %s%n", 100 * fraction, message);
                        }
                    }

                    @Override
                    public boolean cancelled() {
                        return Thread.currentThread().isInterrupted();
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("model", r.model().getFileName().toString());
        record.put("untrained", r.untrained().getFileName().toString());
        record.put("architecture", r.architecture());
        record.put("trainer", trainer);
        Map<String, Object> settings = new java.util.TreeMap<>();
        trainerParams.asMap().forEach((k, v) -> settings.put(k.replace('.', '_'), v)); // as written in experiments
        record.put("parameters", settings);
        record.put("seed", r.seed());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("images", img.getFileName().toString());
        source.put("images_sha256", sha256(img));
        source.put("labels", lab.getFileName().toString());
        source.put("labels_sha256", sha256(lab));
        source.put("test_size", testSize);
        source.put("split_seed", splitSeed);
        source.put("train_examples", limit > 0 ? limit : "all");
        record.put("data", source);
        record.put("test_accuracy", r.testAccuracy());
        record.put("train_accuracy", r.trainAccuracy());
        record.put("untrained_test_accuracy", r.untrainedTestAccuracy());
        record.put("loss_per_epoch", r.loss());
        record.put("seconds", Math.round(seconds * 10) / 10.0);
        record.put("model_sha256", sha256(r.model()));
        record.put("untrained_sha256", sha256(r.untrained()));
        String stem = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path recordFile = model.resolveSibling(stem + ".json");
        Path tmp = Files.createTempFile(recordFile.toAbsolutePath().getParent(), ".train-", ".json.tmp");
        Files.writeString(tmp, Commands.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record) + "\n");
        Files.move(tmp, recordFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (json) {
            spec.commandLine().getOut().println(Commands.JSON.writeValueAsString(record));
        } else {
            spec.commandLine().getOut().printf("%s: test accuracy %.2f%% (untrained twin %.2f%%), train %.2f%%, %.0f s%n  %s%n  %s%n  %s%n",
                    r.architecture(), 100 * r.testAccuracy(), 100 * r.untrainedTestAccuracy(), 100 * r.trainAccuracy(), seconds,
                    r.model(), r.untrained(), recordFile);
        }
        return 0;
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                md.update(buf, 0, k);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
