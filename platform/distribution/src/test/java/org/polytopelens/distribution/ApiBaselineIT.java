package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The API is semantically versioned against a baseline (bnd-baseline-maven-plugin in
 * bundles/api): a copy of the API module builds as it is, and fails once a method is removed
 * from an extension point while the package keeps its minor version.
 */
class ApiBaselineIT {
    static final Path API = Path.of("../../bundles/api").toAbsolutePath().normalize();
    static final Path BASELINE = Path.of("../../platform/api-baseline/org.polytopelens.api-1.0.0.jar").toAbsolutePath().normalize();

    record Build(int exitCode, String log) {}

    static Build verify(Path module) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-o", "verify", "-DskipTests", "-Dapi.baseline.jar=" + BASELINE));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        Path log = module.resolve("build.log");
        Process p = new ProcessBuilder(cmd).directory(module.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the API build finished");
        return new Build(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static Path copyOfTheApi() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Distribution.WORK), "api");
        Files.copy(API.resolve("pom.xml"), dir.resolve("pom.xml"));
        Distribution.copyTree(API.resolve("src/main"), dir.resolve("src/main"));
        return dir;
    }

    @Test
    void anIncompatibleChangeWithoutAMajorBumpFailsTheBuild() throws Exception {
        Path same = copyOfTheApi();
        Build ok = verify(same);
        assertEquals(0, ok.exitCode(), ok.log());
        assertTrue(ok.log().contains("Baseline check succeeded"), ok.log());

        Path broken = copyOfTheApi();
        Path coder = broken.resolve("src/main/java/org/polytopelens/api/ActivationCoder.java");
        String src = Files.readString(coder);
        String removed = src.replaceFirst("(?s)    default int bitsPerNeuron\\(ActivationSite site\\) \\{\\s*return 1;\\s*}\\n", "");
        assertNotEquals(src, removed, "the method to remove is there");
        Files.writeString(coder, removed);
        Build fail = verify(broken);
        assertNotEquals(0, fail.exitCode(), "removing ActivationCoder.bitsPerNeuron at package version 1.x must fail:\n" + fail.log());
        assertTrue(fail.log().contains("org.polytopelens.api") && fail.log().toLowerCase().contains("baseline"), fail.log());
        System.out.println("[ApiBaselineIT] " + fail.log().lines().filter(l -> l.contains("ERROR") && l.toLowerCase().contains("baseline")).findFirst().orElse(""));
    }
}
