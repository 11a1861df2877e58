package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.polytopelens.launcher.Workbench;

/** Plugins dropped into plugins/ go live within 3 s, leave when removed, and broken ones harm nothing. */
class HotDeployIT {
    private static final Duration LIVE = Duration.ofSeconds(3);
    private static Path home;
    private static Workbench wb;

    @BeforeAll
    static void boot() throws Exception {
        home = Distribution.copy("HotDeployIT");
        wb = Workbench.start(home, Workbench.Options.defaults());
        wb.application();
    }

    @AfterAll
    static void stop() throws Exception {
        if (wb != null) {
            wb.close();
        }
    }

    private static ServiceReference<?> exampleAnalysis() {
        try {
            ServiceReference<?>[] refs = wb.systemContext().getAllServiceReferences("org.polytopelens.api.Analysis", null);
            if (refs != null) {
                for (ServiceReference<?> r : refs) {
                    if ("org.polytopelens.itest.example".equals(r.getBundle().getSymbolicName())) {
                        return r;
                    }
                }
            }
            return null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDroppedPluginIsLiveWithinThreeSecondsAndGoneWhenRemoved() throws Exception {
        assertFalse(Distribution.providerIds(Distribution.pluginsJson(wb), "org.polytopelens.api.Analysis").contains("example"));

        long t0 = System.nanoTime();
        Path jar = Distribution.deploy(home, Distribution.testPlugin("example"));
        Distribution.await(LIVE, "example analysis service registered", HotDeployIT::exampleAnalysis);
        long liveMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[HotDeployIT] plugin jar dropped -> service registered: " + liveMillis + " ms");
        assertTrue(Distribution.providerIds(Distribution.pluginsJson(wb), "org.polytopelens.api.Analysis").contains("example"),
                "plugins --json lists the hot-deployed analysis");
        Distribution.assertAllActive(wb);

        Files.delete(jar);
        Distribution.await(LIVE, "example plugin uninstalled",
                () -> Distribution.bundle(wb.systemContext(), "org.polytopelens.itest.example") == null ? Boolean.TRUE : null);
        assertEquals(null, exampleAnalysis());
        assertFalse(Distribution.providerIds(Distribution.pluginsJson(wb), "org.polytopelens.api.Analysis").contains("example"));
    }

    @Test
    void brokenPluginsAreReportedWithTheirReasonAndHarmNothing() throws Exception {
        Path imports = Distribution.deploy(home, Distribution.testPlugin("broken.imports"));
        Path activate = Distribution.deploy(home, Distribution.testPlugin("broken.activate"));
        try {
            Bundle badImports = Distribution.await(LIVE, "broken.imports installed",
                    () -> Distribution.bundle(wb.systemContext(), "org.polytopelens.itest.broken.imports"));
            Bundle badActivate = Distribution.await(LIVE, "broken.activate started", () -> {
                Bundle b = Distribution.bundle(wb.systemContext(), "org.polytopelens.itest.broken.activate");
                return b != null && b.getState() == Bundle.ACTIVE ? b : null;
            });
            Map<Long, String> problems = Distribution.await(LIVE, "both broken plugins reported", () -> {
                Map<Long, String> p = wb.bundleProblems();
                return p.containsKey(badImports.getBundleId()) && p.containsKey(badActivate.getBundleId()) ? p : null;
            });
            System.out.println("[HotDeployIT] reported: " + problems);
            assertEquals(Bundle.INSTALLED, badImports.getState());
            String importReason = problems.get(badImports.getBundleId());
            assertTrue(importReason.contains("org.polytopelens.nowhere"), importReason);
            String activateReason = problems.get(badActivate.getBundleId());
            assertTrue(activateReason.contains("deliberate failure in activate"), activateReason);
            assertEquals(2, problems.size(), "only the broken plugins have problems: " + problems);

            // The workbench still works: every other bundle active, the command line answers.
            Distribution.assertAllActive(wb, "org.polytopelens.itest.broken.imports");
            assertFalse(Distribution.providerIds(Distribution.pluginsJson(wb), "org.polytopelens.api.Analysis").isEmpty());
        } finally {
            Files.deleteIfExists(imports);
            Files.deleteIfExists(activate);
        }
        Distribution.await(LIVE, "broken plugins removed", () -> wb.bundleProblems().isEmpty() ? Boolean.TRUE : null);
    }
}
