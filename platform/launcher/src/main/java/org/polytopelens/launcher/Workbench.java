package org.polytopelens.launcher;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.polytopelens.launch.Application;
import org.polytopelens.launch.Launch;
import org.polytopelens.launch.Launch.FeatureStatus;

/**
 * A running workbench: Felix booted on a distribution directory with the selected features
 * installed, started and configured. {@link Main} uses it for the command line; tests embed it:
 *
 * <pre>{@code
 * try (Workbench wb = Workbench.start(home, Workbench.Options.defaults())) {
 *     Workbench.Execution r = wb.execute("plugins", "--json");
 * }
 * }</pre>
 *
 * Bundles are installed by reference to their jars under {@code bundles/} and kept in the
 * framework cache ({@code data/felix-cache}) between launches; a jar newer than its installed
 * bundle is updated, and a bundle no selected feature names any more is uninstalled.
 */
public final class Workbench implements AutoCloseable {
    /** Packages the system bundle exports from the launcher's class path. */
    static final String SYSTEM_PACKAGES_EXTRA = "org.polytopelens.launch;version=1.1.0,org.osgi.service.cm;version=1.6.1";
    private static final String LOCATION_PREFIX = "reference:";

    /**
     * How to start. {@code features} null means the default list ({@code features=} in {@code
     * etc/workbench.properties}); {@code frameworkProperties} override everything else.
     */
    public record Options(List<String> features, Path workingDirectory, boolean interactiveShell,
            Duration applicationTimeout, Map<String, String> frameworkProperties, PrintStream log) {
        public Options {
            features = features == null ? null : List.copyOf(features);
            frameworkProperties = Map.copyOf(frameworkProperties);
        }

        public static Options defaults() {
            return new Options(null, Path.of("").toAbsolutePath(), false, Duration.ofSeconds(30), Map.of(), System.err);
        }

        public Options withFeatures(List<String> names) {
            return new Options(names, workingDirectory, interactiveShell, applicationTimeout, frameworkProperties, log);
        }

        public Options withWorkingDirectory(Path dir) {
            return new Options(features, dir, interactiveShell, applicationTimeout, frameworkProperties, log);
        }

        public Options withInteractiveShell(boolean interactive) {
            return new Options(features, workingDirectory, interactive, applicationTimeout, frameworkProperties, log);
        }

        public Options withApplicationTimeout(Duration timeout) {
            return new Options(features, workingDirectory, interactiveShell, timeout, frameworkProperties, log);
        }

        public Options withFrameworkProperty(String key, String value) {
            Map<String, String> p = new HashMap<>(frameworkProperties);
            p.put(key, value);
            return new Options(features, workingDirectory, interactiveShell, applicationTimeout, p, log);
        }

        /** Where launch problems (missing bundles, unknown features) are printed. */
        public Options withLog(PrintStream stream) {
            return new Options(features, workingDirectory, interactiveShell, applicationTimeout, frameworkProperties, stream);
        }
    }

    /** The outcome of an in-process command line, with what it printed. */
    public record Execution(int exitCode, String out, String err) { }

    private final Path home;
    private final Path pluginsDirectory;
    private final Path workingDirectory;
    private final Felix framework;
    private final Diagnostics diagnostics;
    private final List<FeatureStatus> features;
    private final ServiceTracker<Application, Application> applications;
    private final Duration applicationTimeout;
    private final Path privateCache;
    private final long originMillis;
    private volatile long readyMillis = -1;

    private Workbench(Path home, Path workingDirectory, Felix framework, Diagnostics diagnostics,
            List<FeatureStatus> features, Duration applicationTimeout, Path privateCache, long originMillis) {
        this.home = home;
        this.pluginsDirectory = home.resolve("plugins");
        this.workingDirectory = workingDirectory;
        this.framework = framework;
        this.diagnostics = diagnostics;
        this.features = List.copyOf(features);
        this.applicationTimeout = applicationTimeout;
        this.privateCache = privateCache;
        this.originMillis = originMillis;
        this.applications = new ServiceTracker<>(framework.getBundleContext(), Application.class, null);
        this.applications.open();
    }

    /** Boots the workbench in {@code home}; "ready" time is measured from this call. */
    public static Workbench start(Path home, Options options) throws IOException, BundleException, InterruptedException {
        return start(home, options, System.currentTimeMillis());
    }

    /** As {@link #start(Path, Options)}, measuring "ready" from {@code originMillis} (e.g. JVM start). */
    static Workbench start(Path home, Options options, long originMillis)
            throws IOException, BundleException, InterruptedException {
        home = home.toAbsolutePath().normalize();
        Path data = home.resolve("data");
        Files.createDirectories(data);
        Files.createDirectories(home.resolve("plugins"));
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            System.setProperty("org.bytedeco.javacpp.cachedir", data.resolve("javacpp").toString());
        }
        Properties settings = new Properties();
        Path settingsFile = home.resolve("etc/workbench.properties");
        if (Files.isRegularFile(settingsFile)) {
            try (Reader r = Files.newBufferedReader(settingsFile, StandardCharsets.UTF_8)) {
                settings.load(r);
            }
        }
        List<String> selected = options.features() != null ? options.features()
                : split(settings.getProperty("features", "core"));

        Plan plan = Plan.of(home, Feature.loadAll(home.resolve("etc/features")), selected);

        Diagnostics diagnostics = new Diagnostics();
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "1");
        config.put("felix.log.logger", diagnostics);
        config.put("felix.log.level", "1");
        config.put("felix.fileinstall.dir", home.resolve("plugins").toString());
        config.put("felix.fileinstall.poll", "250");
        config.put("felix.fileinstall.noInitialDelay", "true");
        // Plugin jars only: a jar being copied in under a hidden temporary name is never picked up half-written.
        config.put("felix.fileinstall.filter", "^[^.].*\\.jar$");
        config.put("felix.fileinstall.bundles.new.start", "true");
        config.put("felix.fileinstall.enableConfigSave", "false");
        // FileInstall prints its errors to stdout without a LogService; Diagnostics reports them.
        config.put("felix.fileinstall.log.level", "0");
        // SCR prints whole stack traces to stderr without a LogService; Diagnostics reports the
        // failures by bundle instead (set ds.loglevel=error in etc/workbench.properties to see them).
        config.put("ds.loglevel", "0");
        config.put("felix.fileinstall.start.level", String.valueOf(plan.maxStartOrder()));
        // Gogo's own console stays off: `workbench shell` (the CLI) opens a session on the
        // launch's streams. Without --noshutdown Gogo would stop the framework at once.
        config.put("gosh.args", options.interactiveShell() ? "" : "--nointeractive --noshutdown");
        for (String key : settings.stringPropertyNames()) {
            if (!key.equals("features")) {
                config.put(key, settings.getProperty(key));
            }
        }
        config.putAll(options.frameworkProperties());

        Path storage = data.resolve("felix-cache");
        Path privateCache = null;
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        Felix framework = new Felix(config);
        try {
            framework.init();
        } catch (BundleException e) {
            // Another workbench holds the shared cache: run this one on a private, throw-away cache.
            if (!Diagnostics.describe(e).contains("lock")) {
                throw e;
            }
            privateCache = Files.createTempDirectory(data, "felix-cache-");
            config.put(Constants.FRAMEWORK_STORAGE, privateCache.toString());
            config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
            framework = new Felix(config);
            framework.init();
        }
        BundleContext system = framework.getBundleContext();
        system.addFrameworkListener(diagnostics);
        system.addBundleListener(diagnostics);

        Map<String, List<String>> problems = plan.problems();
        plan.install(system, diagnostics);
        framework.start();
        plan.configure(system);
        raiseStartLevel(framework, plan.maxStartOrder());

        List<FeatureStatus> statuses = plan.statuses(system, diagnostics);
        for (FeatureStatus s : statuses) {
            for (String p : s.problems()) {
                options.log().println("workbench: feature " + s.id() + ": " + p);
            }
        }
        problems.getOrDefault("", List.of()).forEach(p -> options.log().println("workbench: " + p));
        return new Workbench(home, options.workingDirectory().toAbsolutePath(), framework, diagnostics, statuses,
                options.applicationTimeout(), privateCache, originMillis);
    }

    private static void raiseStartLevel(Framework framework, int level) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        framework.adapt(FrameworkStartLevel.class).setStartLevel(level, event -> {
            if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                done.countDown();
            }
        });
        if (!done.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("bundles did not finish starting within 2 minutes (start level " + level + ")");
        }
    }

    static List<String> split(String list) {
        return Stream.of(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public BundleContext systemContext() {
        return framework.getBundleContext();
    }

    public Framework framework() {
        return framework;
    }

    public Path home() {
        return home;
    }

    /** Every known feature and what became of it in this launch. */
    public List<FeatureStatus> features() {
        return features;
    }

    /** See {@link Launch#bundleProblems()}. */
    public Map<Long, String> bundleProblems() {
        return diagnostics.problems(systemContext());
    }

    /** Milliseconds from the origin (JVM start for {@link Main}) to the command line being available; -1 before. */
    public long readyMillis() {
        return readyMillis;
    }

    /** The command line; waits for it up to the configured timeout. */
    public Application application() throws InterruptedException, TimeoutException {
        // Fail fast when no started bundle declares the service (e.g. the CLI bundle is missing).
        boolean offered = Diagnostics.offersService(systemContext(), Application.class.getName());
        Application app = applications.waitForService(offered ? applicationTimeout.toMillis() : 1);
        if (app == null) {
            throw new TimeoutException("the workbench command line (an " + Application.class.getName()
                    + " service, from bundle org.polytopelens.cli in feature 'core') "
                    + (offered ? "did not appear within " + applicationTimeout.toSeconds() + " s."
                            : "is not available: no started bundle declares it.")
                    + notActiveReport());
        }
        if (readyMillis < 0) {
            readyMillis = System.currentTimeMillis() - originMillis;
        }
        return app;
    }

    /** Bundles that are not ACTIVE (fragments: not RESOLVED), each with its reasons. */
    String notActiveReport() {
        Map<Long, String> problems = bundleProblems();
        StringBuilder sb = new StringBuilder();
        for (Bundle b : systemContext().getBundles()) {
            if (b.getBundleId() != 0 && !Diagnostics.healthy(b)) {
                sb.append("\n  ").append(Diagnostics.label(b)).append(" is ").append(Diagnostics.stateName(b.getState()));
                String why = problems.get(b.getBundleId());
                if (why != null) {
                    sb.append(": ").append(why);
                }
            }
        }
        for (String c : diagnostics.unsatisfiedComponents(systemContext())) {
            sb.append("\n  ").append(c);
        }
        return sb.length() == 0 ? " Every bundle is ACTIVE." : " Problems:" + sb;
    }

    /** Runs one command line in-process with the given streams; returns its exit code. */
    public int execute(InputStream in, PrintStream out, PrintStream err, String... args)
            throws InterruptedException, TimeoutException {
        Application app = application();
        Launch launch = new LaunchView(home, home.resolve("data"), pluginsDirectory, workingDirectory, out, err, in,
                features, readyMillis, this::bundleProblems);
        try {
            return app.run(args.clone(), launch);
        } catch (RuntimeException e) {
            err.println("workbench: internal error in the command line: " + Diagnostics.describe(e));
            e.printStackTrace(err);
            return 70;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Runs one command line in-process, capturing what it prints (UTF-8). */
    public Execution execute(String... args) throws InterruptedException, TimeoutException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = execute(new ByteArrayInputStream(new byte[0]), o, e, args);
        }
        return new Execution(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Stops the framework (waiting for it) and removes a private cache if one was used. */
    @Override
    public void close() throws BundleException, IOException {
        applications.close();
        if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING)) != 0) {
            framework.stop();
        }
        try {
            framework.waitForStop(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (privateCache != null) {
            try (Stream<Path> files = Files.walk(privateCache)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** What the selected features ask for: bundles by location, configurations, problems found so far. */
    private static final class Plan {
        private final Path repository;
        private final Map<String, Feature> known;
        private final List<String> selected;
        /** Location -> bundle entry (first feature naming it wins; lowest start order wins). */
        private final Map<String, Feature.BundleSpec> bundles = new LinkedHashMap<>();
        private final Map<String, Bundle> installed = new HashMap<>();
        /** Problems by feature short name; "" for the launch as a whole. */
        private final Map<String, List<String>> problems = new LinkedHashMap<>();

        private Plan(Path repository, Map<String, Feature> known, List<String> selected) {
            this.repository = repository;
            this.known = known;
            this.selected = selected;
        }

        static Plan of(Path home, Map<String, Feature> known, List<String> selected) {
            Plan plan = new Plan(home.resolve("bundles"), known, selected);
            for (String name : selected) {
                Feature f = known.get(name);
                if (f == null) {
                    plan.problem("", "unknown feature '" + name + "'; features in " + home.resolve("etc/features")
                            + ": " + String.join(", ", known.keySet()));
                    continue;
                }
                for (Feature.BundleSpec b : f.bundles()) {
                    String location;
                    try {
                        location = location(b.path(plan.repository));
                    } catch (IllegalArgumentException e) {
                        plan.problem(name, e.getMessage());
                        continue;
                    }
                    plan.bundles.merge(location, b, (x, y) -> x.startOrder() <= y.startOrder() ? x : y);
                }
            }
            return plan;
        }

        static String location(Path jar) {
            return LOCATION_PREFIX + jar.toUri();
        }

        void problem(String feature, String message) {
            problems.computeIfAbsent(feature, k -> new ArrayList<>()).add(message);
        }

        Map<String, List<String>> problems() {
            return problems;
        }

        int maxStartOrder() {
            return Math.max(1, bundles.values().stream().mapToInt(Feature.BundleSpec::startOrder).max().orElse(1));
        }

        /** Installs what is missing, updates what changed, uninstalls launcher bundles no feature wants. */
        void install(BundleContext system, Diagnostics diagnostics) throws InterruptedException {
            Map<String, Bundle> existing = new HashMap<>();
            for (Bundle b : system.getBundles()) {
                existing.put(b.getLocation(), b);
            }
            boolean changed = false;
            for (Bundle b : existing.values()) {
                if (b.getLocation().startsWith(LOCATION_PREFIX) && !bundles.containsKey(b.getLocation())) {
                    try {
                        b.uninstall();
                        changed = true;
                    } catch (BundleException e) {
                        problem("", "cannot uninstall " + Diagnostics.label(b) + ": " + e.getMessage());
                    }
                }
            }
            for (Map.Entry<String, Feature.BundleSpec> e : bundles.entrySet()) {
                Feature.BundleSpec spec = e.getValue();
                Path jar = spec.path(repository);
                String feature = featureOf(spec);
                if (!Files.isRegularFile(jar)) {
                    problem(feature, "bundle " + spec.id() + " is missing: no file " + jar);
                    continue;
                }
                try {
                    Bundle b = existing.get(e.getKey());
                    if (b == null) {
                        b = system.installBundle(e.getKey());
                    } else if (Files.getLastModifiedTime(jar).toMillis() > b.getLastModified()) {
                        b.update();
                        changed = true;
                    }
                    installed.put(spec.id(), b);
                    b.adapt(BundleStartLevel.class).setStartLevel(spec.startOrder());
                    if (!Diagnostics.isFragment(b)) {
                        b.start(Bundle.START_ACTIVATION_POLICY);
                    }
                } catch (BundleException | IOException | RuntimeException ex) {
                    problem(feature, "bundle " + spec.id() + " (" + jar.getFileName() + ") cannot be installed: "
                            + Diagnostics.describe(ex));
                }
            }
            if (changed) {
                CountDownLatch refreshed = new CountDownLatch(1);
                system.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, event -> refreshed.countDown());
                refreshed.await(30, TimeUnit.SECONDS);
            }
        }

        private String featureOf(Feature.BundleSpec spec) {
            for (String name : selected) {
                Feature f = known.get(name);
                if (f != null && f.bundles().stream().anyMatch(b -> b.id().equals(spec.id()))) {
                    return name;
                }
            }
            return "";
        }

        /** Applies the selected features' configurations through ConfigurationAdmin (location "?"). */
        void configure(BundleContext system) throws InterruptedException {
            Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
            Map<String, String> owner = new HashMap<>();
            for (String name : selected) {
                Feature f = known.get(name);
                if (f != null) {
                    f.configurations().forEach((pid, props) -> {
                        configurations.put(pid, props);
                        owner.put(pid, name);
                    });
                }
            }
            if (configurations.isEmpty()) {
                return;
            }
            ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker =
                    new ServiceTracker<>(system, ConfigurationAdmin.class, null);
            tracker.open();
            try {
                // Wait only when some bundle offers ConfigurationAdmin; else report at once.
                ConfigurationAdmin admin = Diagnostics.offersService(system, ConfigurationAdmin.class.getName())
                        ? tracker.waitForService(10_000) : tracker.getService();
                if (admin == null) {
                    for (String pid : configurations.keySet()) {
                        problem(owner.get(pid), "configuration " + pid + " not applied: no ConfigurationAdmin service"
                                + " (is org.apache.felix.configadmin in feature 'core' with start-order 1?)");
                    }
                    return;
                }
                for (Map.Entry<String, Map<String, Object>> e : configurations.entrySet()) {
                    String pid = e.getKey();
                    try {
                        int tilde = pid.indexOf('~');
                        Configuration c = tilde > 0
                                ? admin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), "?")
                                : admin.getConfiguration(pid, "?");
                        c.updateIfDifferent(ConfigurationValues.toDictionary(e.getValue()));
                    } catch (IOException | RuntimeException ex) {
                        problem(owner.get(pid), "configuration " + pid + " not applied: " + Diagnostics.describe(ex));
                    }
                }
            } finally {
                tracker.close();
            }
        }

        List<FeatureStatus> statuses(BundleContext system, Diagnostics diagnostics) {
            List<FeatureStatus> out = new ArrayList<>();
            for (Feature f : known.values()) {
                boolean chosen = selected.contains(f.shortName());
                List<String> list = new ArrayList<>(problems.getOrDefault(f.shortName(), List.of()));
                if (chosen) {
                    for (Feature.BundleSpec spec : f.bundles()) {
                        Bundle b = installed.get(spec.id());
                        if (b != null && !Diagnostics.healthy(b)) {
                            List<String> why = diagnostics.problems(system, b);
                            list.add("bundle " + b.getSymbolicName() + " (" + spec.id() + ") is "
                                    + Diagnostics.stateName(b.getState())
                                    + (why.isEmpty() ? "" : ": " + String.join("; ", why)));
                        }
                    }
                }
                out.add(new FeatureStatus(f.shortName(), f.name(), f.description(), chosen,
                        f.bundles().stream().map(Feature.BundleSpec::id).toList(), list));
            }
            return out;
        }
    }

    /** Feature configuration values (JSON types) as ConfigurationAdmin property types. */
    static final class ConfigurationValues {
        private ConfigurationValues() { }

        static Hashtable<String, Object> toDictionary(Map<String, Object> json) {
            Hashtable<String, Object> d = new Hashtable<>();
            for (Map.Entry<String, Object> e : json.entrySet()) {
                String key = e.getKey();
                String type = null;
                int colon = key.indexOf(':');
                if (colon > 0) { // R8 typed key, e.g. "size:Integer" or "names:String[]"
                    type = key.substring(colon + 1);
                    key = key.substring(0, colon);
                }
                if (e.getValue() != null) {
                    d.put(key, convert(e.getValue(), type, key));
                }
            }
            return d;
        }

        private static Object convert(Object v, String type, String key) {
            if (v instanceof List<?> list) {
                String element = type != null && type.endsWith("[]") ? type.substring(0, type.length() - 2) : null;
                if (element == null && !list.isEmpty() && list.stream().allMatch(x -> x instanceof String)) {
                    element = "String";
                }
                if (element == null) {
                    return list.stream().map(x -> convert(x, null, key)).toList();
                }
                String el = element;
                Object[] values = list.stream().map(x -> convert(x, el, key)).toArray();
                return switch (el) {
                    case "String" -> java.util.Arrays.copyOf(values, values.length, String[].class);
                    case "Integer", "int" -> java.util.Arrays.copyOf(values, values.length, Integer[].class);
                    case "Long", "long" -> java.util.Arrays.copyOf(values, values.length, Long[].class);
                    case "Double", "double" -> java.util.Arrays.copyOf(values, values.length, Double[].class);
                    case "Boolean", "boolean" -> java.util.Arrays.copyOf(values, values.length, Boolean[].class);
                    default -> values;
                };
            }
            if (type == null) {
                return v;
            }
            String s = String.valueOf(v);
            return switch (type) {
                case "String" -> s;
                case "Integer", "int" -> v instanceof Number n ? n.intValue() : Integer.valueOf(s);
                case "Long", "long" -> v instanceof Number n ? n.longValue() : Long.valueOf(s);
                case "Float", "float" -> v instanceof Number n ? n.floatValue() : Float.valueOf(s);
                case "Double", "double" -> v instanceof Number n ? n.doubleValue() : Double.valueOf(s);
                case "Boolean", "boolean" -> v instanceof Boolean b ? b : Boolean.valueOf(s);
                default -> throw new IllegalArgumentException("configuration key '" + key + "': unknown type " + type
                        + "; valid: String, Integer, Long, Float, Double, Boolean (with [] for arrays)");
            };
        }
    }

    @Override
    public String toString() {
        return "Workbench[" + home + ", bundles=" + new TreeSet<>(Stream.of(systemContext().getBundles())
                .map(Bundle::getSymbolicName).collect(Collectors.toList())) + "]";
    }
}
