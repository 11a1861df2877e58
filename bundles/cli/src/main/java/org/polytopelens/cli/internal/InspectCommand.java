package org.polytopelens.cli.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.core.ExtensionRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's inputs, outputs, activation sites and tensors.")
final class InspectCommand implements Callable<Integer> {
    private final Env env;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.onnx).")
    Path model;

    @Option(names = "--backend", paramLabel = "ID", description = "Backend id (default: the best one for the file).")
    String backend;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    InspectCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ExtensionRegistry registry = env.requireRegistry();
        Path file = env.resolve(model);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no model file " + file);
        }
        ModelBackend b = backend != null ? registry.provider(ModelBackend.class, backend) : best(registry, file);
        ModelInfo info;
        try (Model m = b.open(file, registry.validate(b, Map.of()))) {
            info = m.info();
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Commands.JSON.writeValueAsString(toJson(info)));
            return 0;
        }
        out.println(file + " (backend " + b.id() + ")");
        out.println("inputs:");
        info.inputs().forEach(t -> out.println("  " + t));
        out.println("outputs:");
        info.outputs().forEach(t -> out.println("  " + t));
        out.println("activation sites:");
        for (ActivationSite s : info.sites()) {
            out.printf("  %-24s %-10s %-4s %s %s (%d neurons)%n", s.name(), s.op(), s.kind().name().toLowerCase(),
                    s.preactivation(), java.util.Arrays.toString(s.shape()), s.neurons());
        }
        out.println(info.tensors().size() + " tensors (--json lists them)");
        return 0;
    }

    static ModelBackend best(ExtensionRegistry registry, Path file) {
        return registry.providers(ModelBackend.class).stream()
                .filter(b -> b.priority(file) >= 0)
                .max(Comparator.comparingInt(b -> b.priority(file)))
                .orElseThrow(() -> new IllegalArgumentException("no model backend can open " + file + "; backends: "
                        + registry.providers(ModelBackend.class).stream().map(ModelBackend::id).toList()));
    }

    static Map<String, Object> toJson(ModelInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", tensors(info.inputs()));
        m.put("outputs", tensors(info.outputs()));
        List<Map<String, Object>> sites = new ArrayList<>();
        for (ActivationSite s : info.sites()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", s.name());
            x.put("op", s.op());
            x.put("kind", s.kind().name().toLowerCase());
            x.put("preactivation", s.preactivation());
            x.put("shape", s.shape());
            x.put("neurons", s.neurons());
            if (!s.attributes().isEmpty()) {
                x.put("attributes", new java.util.TreeMap<>(s.attributes())); // sorted: stable output
            }
            sites.add(x);
        }
        m.put("sites", sites);
        m.put("tensors", info.tensors());
        return m;
    }

    private static List<Map<String, Object>> tensors(List<TensorInfo> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (TensorInfo t : list) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", t.name());
            x.put("dtype", t.dtype());
            x.put("shape", t.shape());
            out.add(x);
        }
        return out;
    }
}
