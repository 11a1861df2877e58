package org.polytopelens.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Visualizer;
import org.polytopelens.api.data.Table;

class AtomicResultSinkTest {
    @TempDir
    Path dir;

    AtomicResultSink sink(List<Visualizer> viz) {
        return new AtomicResultSink(dir, () -> viz, v -> Parameters.empty());
    }

    @Test
    void rejectsNamesOutsideTheDirectory() {
        AtomicResultSink s = sink(List.of());
        for (String bad : List.of("../x", "/etc/x", "a/../../x", "..", "", "a/..")) {
            assertThrows(IllegalArgumentException.class, () -> s.write(bad, out -> out.write(1)), bad);
        }
    }

    @Test
    void writesAtomicallyAndLeavesNothingOnFailure() throws IOException {
        AtomicResultSink s = sink(List.of());
        s.write("sub/a.txt", out -> out.write("hello".getBytes()));
        assertEquals("hello", Files.readString(dir.resolve("sub/a.txt")));
        IOException e = assertThrows(IOException.class, () -> s.write("b.txt", out -> {
            out.write("half".getBytes());
            throw new IOException("disk on fire");
        }));
        assertEquals("disk on fire", e.getMessage());
        assertFalse(Files.exists(dir.resolve("b.txt")));
        s.write("sub/a.txt", out -> out.write("again".getBytes()));
        assertEquals("again", Files.readString(dir.resolve("sub/a.txt")));
        try (Stream<Path> all = Files.walk(dir)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
        assertEquals(List.of("sub/a.txt"), s.files());
    }

    @Test
    void publishSavesJsonAndHandsToVisualizersIsolatingFailures() throws IOException {
        AtomicResultSink s = sink(List.of(new TestPlugins.BrokenViz(), new TestPlugins.TxtViz()));
        s.publish(new Table("t1", "A table", List.of("a", "b"), List.of(List.of(1, "x"))));
        JsonNode j = AtomicResultSink.JSON.readTree(dir.resolve("t1.json").toFile());
        assertEquals("Table", j.get("type").asText());
        assertEquals("A table", j.get("title").asText());
        assertEquals("x", j.get("rows").get(0).get(1).asText());
        assertEquals("[[1, x]]", Files.readString(dir.resolve("t1.txt")));
        assertEquals(List.of("t1.json", "t1.txt"), s.files());
        assertEquals(1, s.warnings().size());
        assertTrue(s.warnings().get(0).contains("visualizer 'broken' failed") && s.warnings().get(0).contains("cannot draw"));
    }
}
