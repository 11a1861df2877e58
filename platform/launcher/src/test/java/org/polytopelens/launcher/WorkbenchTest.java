package org.polytopelens.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.polytopelens.launch.Launch.FeatureStatus;

/** Boots the bare framework (no bundle jars needed): problems are reported, not fatal. */
class WorkbenchTest {
    @TempDir
    Path home;

    @Test
    void reportsMissingBundlesAndUnknownFeaturesAndKeepsGoing() throws Exception {
        Files.createDirectories(home.resolve("etc/features"));
        Files.writeString(home.resolve("etc/features/demo.json"), """
                {"id": "org.polytopelens:feature-demo:1", "name": "Demo",
                 "bundles": [{"id": "org.example:nothing:1.0", "start-order": 1}],
                 "configurations": {"some.pid": {"a": 1}}}
                """);
        Files.writeString(home.resolve("etc/workbench.properties"), "features=demo,nosuch\n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Workbench.Options options = Workbench.Options.defaults()
                .withApplicationTimeout(Duration.ofMillis(100))
                .withLog(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (Workbench wb = Workbench.start(home, options)) {
            assertEquals(Bundle.ACTIVE, wb.framework().getState());
            FeatureStatus demo = wb.features().get(0);
            assertEquals("demo", demo.id());
            assertTrue(demo.installed());
            String problems = String.join("\n", demo.problems());
            assertTrue(problems.contains("org.example:nothing:1.0 is missing")
                    && problems.contains("org/example/nothing/1.0/nothing-1.0.jar"), problems);
            assertTrue(problems.contains("no ConfigurationAdmin"), problems);
            String printed = log.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("unknown feature 'nosuch'") && printed.contains("demo"), printed);

            // The launch contract is exported by the system bundle for the CLI bundle to import.
            List<String> exported = wb.framework().adapt(BundleRevision.class)
                    .getDeclaredCapabilities(BundleRevision.PACKAGE_NAMESPACE).stream()
                    .map(BundleCapability::getAttributes).map(a -> a.get(BundleRevision.PACKAGE_NAMESPACE) + " " + a.get("version"))
                    .toList();
            assertTrue(exported.contains("org.polytopelens.launch 1.1.0"), exported.toString());
            assertTrue(exported.contains("org.osgi.service.cm 1.6.1"), exported.toString());

            TimeoutException e = assertThrows(TimeoutException.class, () -> wb.execute("plugins"));
            assertTrue(e.getMessage().contains("org.polytopelens.launch.Application"), e.getMessage());
            assertTrue(wb.bundleProblems().isEmpty());
        }
        assertTrue(Files.isDirectory(home.resolve("data/felix-cache")));
        assertTrue(Files.isDirectory(home.resolve("plugins")));
    }

    @Test
    void aSecondConcurrentLaunchOnTheSameHomeUsesAPrivateCache() throws Exception {
        Workbench.Options options = Workbench.Options.defaults().withFeatures(List.of());
        try (Workbench first = Workbench.start(home, options); Workbench second = Workbench.start(home, options)) {
            assertNotNull(first.systemContext());
            assertNotNull(second.systemContext());
        }
        try (var left = Files.list(home.resolve("data"))) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("felix-cache-")), "private cache removed");
        }
    }
}
