package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.polytopelens.launch.Launch.FeatureStatus;
import org.polytopelens.launcher.Workbench;

/** Boots the real distribution in-process with its default features. */
class WorkbenchIT {
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static Workbench wb;

    @BeforeAll
    static void boot() throws Exception {
        Path home = Distribution.copy("WorkbenchIT");
        wb = Workbench.start(home, Workbench.Options.defaults()
                .withLog(new PrintStream(LOG, true, StandardCharsets.UTF_8)));
        wb.application();
        System.out.println("[WorkbenchIT] in-process launch to ready (empty cache): " + wb.readyMillis() + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        if (wb != null) {
            wb.close();
        }
    }

    @Test
    void everyBundleIsActiveAndNoFeatureHasProblems() {
        Distribution.assertAllActive(wb);
        for (FeatureStatus f : wb.features()) {
            if (f.installed()) {
                assertEquals(List.of(), f.problems(), "problems of feature " + f.id());
            }
        }
        assertEquals("", LOG.toString(StandardCharsets.UTF_8), "launch log");
        assertEquals(java.util.Map.of(), wb.bundleProblems());
    }

    @Test
    void defaultFeaturesAreInstalled() {
        List<String> installed = wb.features().stream().filter(FeatureStatus::installed).map(FeatureStatus::id).toList();
        assertEquals(List.of("analyses", "clustering", "coders", "core", "gui", "nd4j", "onnx", "viz"), installed);
        for (String bsn : List.of("org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.metatype",
                "org.apache.felix.fileinstall", "org.apache.felix.gogo.runtime", "org.polytopelens.cli",
                "org.polytopelens.coder.relu", "org.polytopelens.backend.onnx")) {
            assertNotNull(Distribution.bundle(wb.systemContext(), bsn), bsn + " installed");
        }
    }

    @Test
    void everyExtensionPointWithAProviderIsServed() throws Exception {
        for (String type : Distribution.SERVED_EXTENSION_POINTS) {
            ServiceReference<?>[] refs = wb.systemContext().getAllServiceReferences(type, null);
            assertTrue(refs != null && refs.length > 0, "a service for " + type);
        }
        for (String type : List.of("org.polytopelens.launch.Application", "org.polytopelens.core.ExtensionRegistry",
                "org.polytopelens.core.ExperimentRunner")) {
            assertNotNull(wb.systemContext().getAllServiceReferences(type, null), type);
        }
        JsonNode plugins = Distribution.pluginsJson(wb);
        for (String type : Distribution.SERVED_EXTENSION_POINTS) {
            assertFalse(Distribution.providerIds(plugins, type).isEmpty(), "plugins --json lists a provider of " + type);
        }
        for (JsonNode b : plugins.path("bundles")) {
            assertTrue(List.of("ACTIVE", "RESOLVED").contains(b.path("state").asText()), b.toString());
        }
        assertEquals(wb.systemContext().getBundles().length, plugins.path("bundles").size());
    }

    @Test
    void configurationAdminUsesTheLaunchersConfigurationPackage() {
        // The launcher applies configurations with its own org.osgi.service.cm classes; that only
        // works when ConfigAdmin wires the package to the system bundle.
        Bundle cm = Distribution.bundle(wb.systemContext(), "org.apache.felix.configadmin");
        BundleWire wire = cm.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package").stream()
                .filter(w -> "org.osgi.service.cm".equals(w.getCapability().getAttributes().get("osgi.wiring.package")))
                .findFirst().orElseThrow();
        assertEquals(0, wire.getProvider().getBundle().getBundleId());
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> t = new ServiceTracker<>(wb.systemContext(), ConfigurationAdmin.class, null);
        t.open();
        try {
            assertNotNull(t.getService());
        } finally {
            t.close();
        }
    }
}
