package org.polytopelens.launcher;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;

/**
 * Why bundles are not working, per bundle id. Collects framework ERROR events and the framework
 * log's errors as they happen (a bundle's record is cleared when it starts, updates or goes away)
 * and, when asked, adds the live causes: requirements nothing provides and DS components whose
 * activation failed. Nothing here prints: the CLI decides how to show problems.
 */
final class Diagnostics extends Logger implements FrameworkListener, SynchronousBundleListener {
    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    /** ComponentConfigurationDTO.FAILED_ACTIVATION (DS 1.4). */
    private static final int FAILED_ACTIVATION = 16;
    /** ComponentConfigurationDTO.UNSATISFIED_REFERENCE. */
    private static final int UNSATISFIED_REFERENCE = 2;
    private static final Pattern PACKAGE = Pattern.compile("osgi\\.wiring\\.package=([^)]+)");

    private final Map<Long, List<String>> recorded = new ConcurrentHashMap<>();
    /** Errors not tied to a bundle (framework log without a bundle). */
    private final List<String> general = new CopyOnWriteArrayList<>();

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null) {
            record(event.getBundle(), describe(event.getThrowable()));
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        switch (event.getType()) {
            case BundleEvent.STARTED, BundleEvent.UPDATED, BundleEvent.UNINSTALLED, BundleEvent.UNRESOLVED ->
                    recorded.remove(event.getBundle().getBundleId());
            default -> { }
        }
    }

    /** The framework's own log: keep errors per bundle, print nothing (stdout belongs to the CLI). */
    @Override
    @SuppressWarnings("rawtypes") // Felix's signature
    protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
        if (level > LOG_ERROR) {
            return;
        }
        String text = throwable == null ? msg : msg + ": " + describe(throwable);
        if (bundle != null && bundle.getBundleId() != 0) {
            record(bundle, text);
        } else {
            general.add(text);
        }
    }

    /** Framework messages logged without a bundle (e.g. about the cache). */
    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        doLog(null, null, level, msg, throwable);
    }

    List<String> generalProblems() {
        return List.copyOf(general);
    }

    private void record(Bundle bundle, String message) {
        List<String> list = recorded.computeIfAbsent(bundle.getBundleId(), id -> new CopyOnWriteArrayList<>());
        if (!list.contains(message)) {
            list.add(message);
        }
    }

    /** Every bundle (but the system bundle) with at least one problem, by id; reasons joined by "; ". */
    Map<Long, String> problems(BundleContext context) {
        Map<Long, String> out = new TreeMap<>();
        Map<Long, List<String>> components = componentFailures(context);
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0) {
                continue;
            }
            List<String> reasons = new ArrayList<>(problems(context, b));
            reasons.addAll(components.getOrDefault(b.getBundleId(), List.of()));
            if (!reasons.isEmpty()) {
                out.put(b.getBundleId(), String.join("; ", reasons));
            }
        }
        return out;
    }

    /** Problems of one bundle from the framework's view (unresolved requirements, failed starts). */
    List<String> problems(BundleContext context, Bundle bundle) {
        List<String> reasons = new ArrayList<>();
        if (bundle.getState() == Bundle.INSTALLED) {
            reasons.addAll(missingRequirements(context, bundle));
        }
        for (String r : recorded.getOrDefault(bundle.getBundleId(), List.of())) {
            if (!reasons.contains(r)) {
                reasons.add(r);
            }
        }
        if (reasons.isEmpty() && bundle.getState() == Bundle.INSTALLED) {
            reasons.add("not resolved: a bundle it needs is itself not resolved");
        }
        return reasons;
    }

    /** Mandatory requirements that no installed bundle (nor the system bundle) can satisfy. */
    static List<String> missingRequirements(BundleContext context, Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return List.of();
        }
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        List<String> missing = new ArrayList<>();
        for (Requirement req : revision.getRequirements(null)) {
            if (Namespace.RESOLUTION_OPTIONAL.equals(req.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))
                    || !(req instanceof org.osgi.framework.wiring.BundleRequirement br)) {
                continue;
            }
            Collection<?> providers = wiring.findProviders(br);
            if (providers.isEmpty()) {
                missing.add(describe(br));
            }
        }
        return missing;
    }

    private static String describe(Requirement req) {
        String filter = req.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
        if (req.getNamespace().equals(BundleRevision.PACKAGE_NAMESPACE)) {
            Matcher m = PACKAGE.matcher(filter);
            String pkg = m.find() ? m.group(1) : filter;
            return "imports package " + pkg + " " + filter + ", which no bundle exports";
        }
        if (req.getNamespace().equals(BundleRevision.BUNDLE_NAMESPACE)) {
            return "requires bundle " + filter + ", which is not installed";
        }
        return "requires " + req.getNamespace() + " " + filter + ", which nothing provides";
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage() == null ? t.toString() : t.getMessage()));
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" (caused by ").append(c).append(')');
        }
        return sb.toString().strip();
    }

    /**
     * DS components whose activation failed, by bundle id, read from SCR's runtime service. By
     * reflection on the DTOs' public fields: the launcher sits outside the framework and must not
     * tie its class path to one DS API version.
     */
    private static Map<Long, List<String>> componentFailures(BundleContext context) {
        Map<Long, List<String>> out = new TreeMap<>();
        forEachConfiguration(context, (description, configuration) -> {
            if (configuration.getClass().getField("state").getInt(configuration) != FAILED_ACTIVATION) {
                return;
            }
            Object bundleDto = description.getClass().getField("bundle").get(description);
            long id = bundleDto.getClass().getField("id").getLong(bundleDto);
            String name = (String) description.getClass().getField("name").get(description);
            Object failure = configuration.getClass().getField("failure").get(configuration);
            out.computeIfAbsent(id, k -> new ArrayList<>()).add("component " + name + " failed to activate: "
                    + firstLine(failure == null ? "unknown error" : failure.toString()));
        });
        return out;
    }

    private interface DtoVisitor {
        void visit(Object description, Object configuration) throws ReflectiveOperationException;
    }

    /** Calls {@code visitor} for every component configuration DTO of SCR's runtime service, if any. */
    private static void forEachConfiguration(BundleContext context, DtoVisitor visitor) {
        // "All" references: the system bundle does not import the DS API, and a copy of it on the
        // JVM class path (as in tests) must not hide SCR's service.
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(SCR, null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        ServiceReference<?> ref = refs == null ? null : refs[0];
        Object scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return;
        }
        try {
            Class<?> api = ref.getBundle().loadClass(SCR);
            Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
            for (Object d : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[0])) {
                Method configs = api.getMethod("getComponentConfigurationDTOs", d.getClass());
                for (Object c : (Collection<?>) configs.invoke(scr, d)) {
                    visitor.visit(d, c);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // An SCR without DS 1.4 DTOs: report nothing rather than break the caller.
        } finally {
            context.ungetService(ref);
        }
    }

    private static String firstLine(String s) {
        // DS puts the whole stack trace in "failure"; its first line is exception and message.
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    static boolean isFragment(Bundle b) {
        BundleRevision r = b.adapt(BundleRevision.class);
        return r != null && (r.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> String.valueOf(state);
        };
    }

    /**
     * DS components that wait for a mandatory reference, as "component NAME (bundle) waits for
     * reference REF (INTERFACE)"; for the report when the command line does not appear.
     */
    List<String> unsatisfiedComponents(BundleContext context) {
        List<String> out = new ArrayList<>();
        forEachConfiguration(context, (description, configuration) -> {
            if (configuration.getClass().getField("state").getInt(configuration) != UNSATISFIED_REFERENCE) {
                return;
            }
            String name = (String) description.getClass().getField("name").get(description);
            Object[] refs = (Object[]) configuration.getClass().getField("unsatisfiedReferences").get(configuration);
            for (Object r : refs) {
                String ref = (String) r.getClass().getField("name").get(r);
                out.add("component " + name + " waits for its reference '" + ref + "'"
                        + referenceInterface(description, ref));
            }
        });
        return out;
    }

    private static String referenceInterface(Object description, String ref) throws ReflectiveOperationException {
        for (Object r : (Object[]) description.getClass().getField("references").get(description)) {
            if (ref.equals(r.getClass().getField("name").get(r))) {
                return " (" + r.getClass().getField("interfaceName").get(r) + ")";
            }
        }
        return "";
    }

    /** ACTIVE, or RESOLVED for a fragment. */
    static boolean healthy(Bundle b) {
        return isFragment(b) ? b.getState() == Bundle.RESOLVED : b.getState() == Bundle.ACTIVE;
    }

    static String label(Bundle b) {
        return b.getSymbolicName() + " " + b.getVersion() + " [" + b.getBundleId() + "]";
    }

    /** Whether a started bundle declares (Provide-Capability osgi.service) the service {@code name}. */
    static boolean offersService(BundleContext system, String name) {
        for (Bundle b : system.getBundles()) {
            BundleRevision r = b.adapt(BundleRevision.class);
            if (r == null || (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
                continue;
            }
            for (BundleCapability c : r.getDeclaredCapabilities("osgi.service")) {
                Object classes = c.getAttributes().get("objectClass");
                if (classes instanceof List<?> l ? l.contains(name) : name.equals(classes)) {
                    return true;
                }
            }
        }
        return false;
    }
}
