package org.polytopelens.cli.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.polytopelens.launch.Launch.FeatureStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "features", mixinStandardHelpOptions = true,
        description = "List the features (sets of bundles) the workbench knows, and which are installed.")
final class FeaturesCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    FeaturesCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        List<FeatureStatus> features = env.launch().features();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (FeatureStatus f : features) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", f.id());
                m.put("name", f.name());
                m.put("description", f.description());
                m.put("installed", f.installed());
                m.put("bundles", f.bundles());
                m.put("problems", f.problems());
                list.add(m);
            }
            out.println(Commands.JSON.writeValueAsString(Map.of("features", list)));
            return 0;
        }
        for (FeatureStatus f : features) {
            out.printf("%s %-40s %s (%d bundles)%n", f.installed() ? "*" : " ", f.id(), f.name(), f.bundles().size());
            for (String p : f.problems()) {
                out.println("    ! " + p);
            }
        }
        out.println("(* = installed in this launch)");
        return 0;
    }
}
