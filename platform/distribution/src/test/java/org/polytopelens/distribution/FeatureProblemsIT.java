package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.polytopelens.launch.Launch.FeatureStatus;
import org.polytopelens.launcher.Workbench;

/** A feature with a missing jar and an unresolvable bundle: both named, the rest keeps working. */
class FeatureProblemsIT {
    @Test
    void missingAndUnresolvableBundlesAreReportedByName() throws Exception {
        Path home = Distribution.copy("FeatureProblemsIT");
        Path repoJar = home.resolve("bundles/org/polytopelens/org.polytopelens.itest.broken.imports/1.0/"
                + "org.polytopelens.itest.broken.imports-1.0.jar");
        Files.createDirectories(repoJar.getParent());
        Files.copy(Distribution.testPlugin("broken.imports"), repoJar);
        Files.writeString(home.resolve("etc/features/broken.json"), """
                {
                  "feature-resource-version": "1.0",
                  "id": "org.polytopelens:feature-broken:1.0",
                  "name": "Broken on purpose",
                  "bundles": [
                    {"id": "org.example:missing:1.0", "start-order": 2},
                    {"id": "org.polytopelens:org.polytopelens.itest.broken.imports:1.0", "start-order": 2}
                  ]
                }
                """);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Workbench wb = Workbench.start(home, Workbench.Options.defaults()
                .withFeatures(List.of("core", "broken"))
                .withLog(new PrintStream(log, true, StandardCharsets.UTF_8)))) {
            FeatureStatus broken = wb.features().stream().filter(f -> f.id().equals("broken")).findFirst().orElseThrow();
            String problems = String.join("\n", broken.problems());
            assertTrue(problems.contains("org.example:missing:1.0 is missing"), problems);
            assertTrue(problems.contains("org.polytopelens.itest.broken.imports") && problems.contains("org.polytopelens.nowhere"),
                    problems);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("org.example:missing:1.0"), "printed at launch");
            FeatureStatus core = wb.features().stream().filter(f -> f.id().equals("core")).findFirst().orElseThrow();
            assertEquals(List.of(), core.problems());

            Distribution.assertAllActive(wb, "org.polytopelens.itest.broken.imports");
            assertEquals(0, wb.execute("plugins", "--json").exitCode());
        }
    }
}
