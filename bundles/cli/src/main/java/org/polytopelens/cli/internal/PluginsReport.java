package org.polytopelens.cli.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.polytopelens.core.ExtensionPointInfo;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.core.ParameterInfo;
import org.polytopelens.core.ProviderInfo;

/** The state of the workbench's plugins as plain maps: what {@code plugins --json} prints. */
final class PluginsReport {
    private PluginsReport() {}

    static Map<String, Object> build(Env env) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> bundles = new ArrayList<>();
        Map<Long, List<String>> problems = componentProblems(env.scr().get(), env.context().getBundles());
        Map<Long, String> launcherProblems = env.launch().bundleProblems();
        for (Bundle b : env.context().getBundles()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.getBundleId());
            m.put("symbolicName", b.getSymbolicName());
            m.put("version", b.getVersion().toString());
            m.put("state", state(b));
            m.put("location", b.getLocation());
            // The launcher knows resolution and start failures; DS knows components that wait or threw.
            List<String> p = new ArrayList<>();
            String fromLauncher = launcherProblems.get(b.getBundleId());
            if (fromLauncher != null) {
                p.addAll(List.of(fromLauncher.split("; ")));
            }
            for (String c : problems.getOrDefault(b.getBundleId(), List.of())) {
                if (p.stream().noneMatch(x -> x.contains(componentName(c)))) {
                    p.add(c);
                }
            }
            if (!p.isEmpty()) {
                m.put("problems", p);
            }
            bundles.add(m);
        }
        out.put("bundles", bundles);

        List<Map<String, Object>> points = new ArrayList<>();
        ExtensionRegistry registry = env.registry().get();
        if (registry != null) {
            for (ExtensionPointInfo ep : registry.extensionPoints()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", ep.name());
                m.put("interface", ep.interfaceName());
                m.put("description", ep.description());
                List<Map<String, Object>> providers = new ArrayList<>();
                for (ProviderInfo p : ep.providers()) {
                    providers.add(provider(p));
                }
                m.put("providers", providers);
                points.add(m);
            }
        } else {
            out.put("problems", List.of("the workbench core is not running: no extension points can be listed"));
        }
        out.put("extensionPoints", points);
        return out;
    }

    static Map<String, Object> provider(ProviderInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("description", p.description());
        m.put("bundle", p.bundle());
        m.put("bundleVersion", p.bundleVersion());
        List<Map<String, Object>> params = new ArrayList<>();
        for (ParameterInfo a : p.parameters()) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("key", a.key());
            q.put("type", a.type() + (a.cardinality() != 0 ? "[]" : ""));
            q.put("required", a.required());
            if (!a.defaults().isEmpty()) {
                q.put("default", a.cardinality() == 0 ? a.defaults().get(0) : a.defaults());
            }
            if (!a.options().isEmpty()) {
                q.put("options", a.options());
            }
            q.put("description", a.description());
            params.add(q);
        }
        m.put("parameters", params);
        return m;
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNKNOWN";
        };
    }

    /** Components that failed to activate, per bundle, with DS's recorded failure. */
    private static Map<Long, List<String>> componentProblems(ServiceComponentRuntime scr, Bundle[] bundles) {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        if (scr == null) {
            return out;
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(bundles)) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    out.computeIfAbsent(d.bundle.id, k -> new ArrayList<>())
                            .add("component " + d.name + " failed to activate: " + firstLine(c.failure));
                } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                    List<String> missing = new ArrayList<>();
                    for (var r : c.unsatisfiedReferences) {
                        missing.add(r.name + " (" + r.target + ")");
                    }
                    out.computeIfAbsent(d.bundle.id, k -> new ArrayList<>())
                            .add("component " + d.name + " waits for " + missing);
                }
            }
        }
        return out;
    }

    private static String componentName(String problem) {
        String[] w = problem.split(" ");
        return w.length > 1 ? w[1] : problem;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown failure";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).trim();
    }
}
