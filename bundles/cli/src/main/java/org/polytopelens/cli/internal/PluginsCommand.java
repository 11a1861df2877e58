package org.polytopelens.cli.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List bundles with their state, and every extension point with its providers.")
final class PluginsCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    PluginsCommand(Env env) {
        this.env = env;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        Map<String, Object> report = PluginsReport.build(env);
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Commands.JSON.writeValueAsString(report));
            return 0;
        }
        out.println("Bundles:");
        for (Map<String, Object> b : (List<Map<String, Object>>) report.get("bundles")) {
            out.printf("  %4s  %-11s %s %s%n", b.get("id"), b.get("state"), b.get("symbolicName"), b.get("version"));
            for (String p : (List<String>) b.getOrDefault("problems", List.of())) {
                out.println("              ! " + p);
            }
        }
        out.println();
        out.println("Extension points:");
        for (Map<String, Object> ep : (List<Map<String, Object>>) report.get("extensionPoints")) {
            List<Map<String, Object>> providers = (List<Map<String, Object>>) ep.get("providers");
            out.printf("  %s (%s): %d provider%s%n", ep.get("name"), ep.get("interface"), providers.size(),
                    providers.size() == 1 ? "" : "s");
            for (Map<String, Object> p : providers) {
                out.printf("    %-16s %s  [%s]%n", p.get("id"), p.get("name"), p.get("bundle"));
            }
        }
        for (String p : (List<String>) report.getOrDefault("problems", List.of())) {
            out.println("! " + p);
        }
        return 0;
    }
}
