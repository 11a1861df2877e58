package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The API is semantically versioned against a baseline (bnd-baseline-maven-plugin in
 * bundles/api): a copy of the API module builds as it is, and fails once a method is removed
 * from an extension point while the package keeps its minor version.
 */
class ApiBaselineIT {
    static final Path API = Path.of("../../bundles/api").toAbsolutePath().normalize();
    static final Path BASELINE = Path.of("../../platform/api-baseline/org.polytopelens.api-1.0.0.jar").toAbsolutePath().normalize();

    static Distribution.MavenBuild verify(Path module) throws Exception {
        return Distribution.mvn(module, "verify", "-DskipTests", "-Dapi.baseline.jar=" + BASELINE);
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
        Distribution.MavenBuild ok = verify(same);
        assertEquals(0, ok.exitCode(), ok.log());
        assertTrue(ok.log().contains("Baseline check succeeded"), ok.log());

        Path broken = copyOfTheApi();
        Path coder = broken.resolve("src/main/java/org/polytopelens/api/ActivationCoder.java");
        String src = Files.readString(coder);
        String removed = src.replaceFirst("(?s)    default int bitsPerNeuron\\(ActivationSite site\\) \\{\\s*return 1;\\s*}\\n", "");
        assertNotEquals(src, removed, "the method to remove is there");
        Files.writeString(coder, removed);
        Distribution.MavenBuild fail = verify(broken);
        assertNotEquals(0, fail.exitCode(), "removing ActivationCoder.bitsPerNeuron at package version 1.x must fail:\n" + fail.log());
        assertTrue(fail.log().contains("org.polytopelens.api") && fail.log().toLowerCase().contains("baseline"), fail.log());
        System.out.println("[ApiBaselineIT] " + fail.log().lines().filter(l -> l.contains("ERROR") && l.toLowerCase().contains("baseline")).findFirst().orElse(""));
    }
}
