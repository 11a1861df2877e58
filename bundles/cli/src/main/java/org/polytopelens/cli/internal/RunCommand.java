package org.polytopelens.cli.internal;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.polytopelens.api.Progress;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an experiment file: validate it, run its analyses, write results and run.json into DIR.",
            "Exit code: 0 every step succeeded, 1 a step failed, 2 the experiment is invalid."})
final class RunCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "The experiment file (YAML).")
    Path experiment;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--validate", description = "Only check the experiment (ids, parameters, files); run nothing.")
    boolean validateOnly;

    @Option(names = {"-q", "--quiet"}, description = "Print only the summary.")
    boolean quiet;

    @Option(names = "--resume", description = {"Reuse the steps an earlier run of the same experiment finished in DIR (status ok, files present);",
        "run the others. A different experiment in DIR is refused."})
    boolean resume;

    RunCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ExperimentRunner runner = env.requireRunner();
        Path exp = env.resolve(experiment);
        var o = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (validateOnly) {
            runner.validate(exp);
            o.println(exp + ": valid");
            return 0;
        }
        Path dir = env.resolve(out);
        RunRecord rec = runner.run(exp, dir, Progress.NONE, line -> {
            if (!quiet) {
                err.println(line);
            }
        }, resume);
        for (RunRecord.StepRecord s : rec.steps()) {
            o.printf("%-10s %-9s %6d ms  %s%n", s.analysis(), s.status(), s.millis(),
                    s.error() == null ? String.join(", ", s.files()) : s.error());
        }
        if (java.nio.file.Files.isRegularFile(dir.resolve("report.html"))) {
            o.println("report: " + dir.resolve("report.html"));
        }
        o.println((rec.ok() ? "ok: " : "FAILED: ") + dir.resolve("run.json"));
        return rec.ok() ? 0 : 1;
    }
}
