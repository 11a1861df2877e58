package org.polytopelens.viz.jfreechart;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.data.Result;

/** A plain sink for tests: writes into a directory and remembers the names. */
final class DirectorySink implements ResultSink {
    final Path dir;
    final List<String> written = new ArrayList<>();

    DirectorySink(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Under {@code charts.dir} (target/charts in the build) so the images can be looked at. */
    static DirectorySink named(String test) throws IOException {
        return new DirectorySink(Path.of(System.getProperty("charts.dir", "target/charts"), test));
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public synchronized void write(String fileName, IOBody body) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(fileName))) {
            body.writeTo(out);
        }
        written.add(fileName);
    }

    @Override
    public void publish(Result result) {
        throw new UnsupportedOperationException("a visualizer does not publish");
    }
}
