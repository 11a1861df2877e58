package org.polytopelens.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.Visualizer;
import org.polytopelens.api.data.Result;

/**
 * Writes into a run's output directory: every file goes to a temporary file beside it, is forced
 * to disk and moved into place atomically. Names must be relative and stay inside the directory.
 * Remembers what it wrote and the visualizer failures (never fatal) for the run record.
 */
public final class AtomicResultSink implements ResultSink {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path dir;
    private final Supplier<List<Visualizer>> visualizers;
    private final Function<Visualizer, Parameters> visualizerParams;
    private final List<String> files = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Boolean> rendering = ThreadLocal.withInitial(() -> false);

    public AtomicResultSink(Path dir, Supplier<List<Visualizer>> visualizers, Function<Visualizer, Parameters> visualizerParams) {
        this.dir = dir.toAbsolutePath().normalize();
        this.visualizers = visualizers;
        this.visualizerParams = visualizerParams;
    }

    @Override
    public Path directory() {
        return dir;
    }

    /** Files written, relative to the directory, in order. */
    public List<String> files() {
        return List.copyOf(files);
    }

    /** Visualizer failures and other non-fatal problems. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The checked target for {@code fileName}. */
    Path target(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("empty result file name");
        }
        Path rel = Path.of(fileName);
        if (rel.isAbsolute() || fileName.startsWith("/") || fileName.startsWith("\\")) {
            throw new IllegalArgumentException("result file name '" + fileName + "' must be relative to the output directory");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new IllegalArgumentException("result file name '" + fileName + "' must not contain '..'");
            }
        }
        Path t = dir.resolve(rel).normalize();
        if (!t.startsWith(dir) || t.equals(dir)) {
            throw new IllegalArgumentException("result file name '" + fileName + "' leaves the output directory");
        }
        return t;
    }

    @Override
    public void write(String fileName, IOBody body) throws IOException {
        Path t = target(fileName);
        writeAtomically(t, body);
        String rel = dir.relativize(t).toString();
        if (!files.contains(rel)) {
            files.add(rel);
        }
    }

    /** Writes {@code target} through a temporary file and an atomic move. */
    public static void writeAtomically(Path target, IOBody body) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        IN_FLIGHT.add(temp);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                body.writeTo(new java.io.FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        out.flush(); // the sink closes the file, not the body
                    }
                });
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
            IN_FLIGHT.remove(temp);
        }
    }

    /**
     * Temporary files being written now. A JVM stopped mid-write (Ctrl-C) runs the shutdown hook
     * below, which deletes them: a stopped run leaves complete result files only.
     */
    private static final java.util.Set<Path> IN_FLIGHT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicResultSink::abandonInFlight, "polytopelens-abandon-partial-files"));
    }

    /** Deletes every temporary file still being written; returns how many. */
    static int abandonInFlight() {
        int n = 0;
        for (Path p : List.copyOf(IN_FLIGHT)) {
            try {
                if (Files.deleteIfExists(p)) {
                    n++;
                }
            } catch (IOException e) {
                // shutting down: nothing more to do for this file
            }
            IN_FLIGHT.remove(p);
        }
        return n;
    }

    @Override
    public void publish(Result result) throws IOException {
        if (files.contains(result.name() + ".json")) {
            // Silently replacing a file the step wrote itself would lose its result.
            throw new IllegalArgumentException("result '" + result.name() + "' would overwrite " + result.name()
                    + ".json, which this run already wrote; give the result another name");
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("type", result.getClass().getSimpleName());
        node.setAll((ObjectNode) JSON.valueToTree(result));
        write(result.name() + ".json", out -> JSON.writeValue(out, node));
        if (rendering.get()) {
            return; // a visualizer publishing: save it, do not dispatch again
        }
        for (Visualizer v : visualizers.get()) {
            String id = "?";
            try {
                id = v.id();
                if (v.supports(result)) {
                    rendering.set(true);
                    try {
                        v.render(result, this, visualizerParams.apply(v));
                    } finally {
                        rendering.set(false);
                    }
                }
            } catch (Exception | LinkageError e) {
                warnings.add("visualizer '" + id + "' failed on result '" + result.name() + "': " + e);
            }
        }
    }
}
