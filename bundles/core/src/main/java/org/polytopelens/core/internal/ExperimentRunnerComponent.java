package org.polytopelens.core.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.polytopelens.api.Progress;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.core.RunRecord;

/** The experiment runner service: a {@link Runner} over the registry, with this framework's bundles in run.json. */
@Component(service = ExperimentRunner.class)
public final class ExperimentRunnerComponent implements ExperimentRunner {
    private final Runner runner;

    @Activate
    public ExperimentRunnerComponent(@Reference(name = "registry") ExtensionRegistry registry, BundleContext context) {
        this.runner = new Runner(registry, () -> bundles(context), Runtime.getRuntime().availableProcessors());
    }

    static List<Map<String, Object>> bundles(BundleContext context) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.getBundleId());
            m.put("symbolicName", b.getSymbolicName());
            m.put("version", b.getVersion().toString());
            m.put("state", state(b.getState()));
            out.add(m);
        }
        return out;
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "UNKNOWN(" + s + ")";
        };
    }

    @Override
    public void validate(Path experiment) throws Exception {
        runner.validate(experiment);
    }

    @Override
    public RunRecord run(Path experiment, Path outDir, Progress progress, Consumer<String> log) throws Exception {
        return runner.run(experiment, outDir, progress, log);
    }

    @Override
    public RunRecord run(Path experiment, Path outDir, Progress progress, Consumer<String> log, boolean resume) throws Exception {
        return runner.run(experiment, outDir, progress, log, resume);
    }
}
