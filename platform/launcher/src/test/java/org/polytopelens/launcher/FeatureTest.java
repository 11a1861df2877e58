package org.polytopelens.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureTest {
    @TempDir
    Path dir;

    @Test
    void readsAnR8FeatureWithBundlesAndConfigurations() throws Exception {
        Path file = dir.resolve("demo.json");
        Files.writeString(file, """
                {
                  // comments are allowed
                  "feature-resource-version": "1.0",
                  "id": "org.polytopelens:feature-demo:1.0",
                  "name": "Demo",
                  "description": "A \\"demo\\" \\u00e9",
                  "bundles": [
                    {"id": "org.example:a:1.2.3", "start-order": 2},
                    "org.example:b:2.0",
                    {"id": "org.example:c:zip:natives:3.0"}
                  ],
                  "configurations": {"my.pid": {"size:Integer": "5", "names": ["x", "y"], "on": true, "rate": 0.5}}
                }
                """);
        Feature f = Feature.read(file);
        assertEquals("demo", f.shortName());
        assertEquals("org.polytopelens:feature-demo:1.0", f.id());
        assertEquals("A \"demo\" é", f.description());
        assertEquals(List.of(new Feature.BundleSpec("org.example:a:1.2.3", 2),
                new Feature.BundleSpec("org.example:b:2.0", Feature.DEFAULT_START_ORDER),
                new Feature.BundleSpec("org.example:c:zip:natives:3.0", Feature.DEFAULT_START_ORDER)), f.bundles());

        Path repo = Path.of("/repo");
        assertEquals(Path.of("/repo/org/example/a/1.2.3/a-1.2.3.jar"), f.bundles().get(0).path(repo));
        assertEquals(Path.of("/repo/org/example/c/3.0/c-3.0-natives.zip"), f.bundles().get(2).path(repo));

        Dictionary<String, Object> props = Workbench.ConfigurationValues.toDictionary(f.configurations().get("my.pid"));
        assertEquals(5, props.get("size"));
        assertArrayEquals(new String[] {"x", "y"}, (String[]) props.get("names"));
        assertEquals(Boolean.TRUE, props.get("on"));
        assertEquals(0.5, props.get("rate"));
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\n  \"id\": \"g:a:1\",\n  \"bundles\": [ , ]\n}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Feature.read(file));
        assertTrue(e.getMessage().startsWith(file + ":3:"), e.getMessage());
    }

    @Test
    void badBundleIdSaysWhatIsValid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Feature.BundleSpec("only-one-part", 1).path(dir));
        assertTrue(e.getMessage().contains("g:a:v"), e.getMessage());
    }

    @Test
    void loadsEveryFeatureOfADirectorySortedByName() throws Exception {
        Files.writeString(dir.resolve("b.json"), "{\"id\": \"g:b:1\"}");
        Files.writeString(dir.resolve("a.json"), "{\"id\": \"g:a:1\", \"bundles\": []}");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        Map<String, Feature> all = Feature.loadAll(dir);
        assertEquals(List.of("a", "b"), List.copyOf(all.keySet()));
    }
}
