package org.polytopelens.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;
import org.polytopelens.api.data.Result;

/**
 * Where a step writes. Every file is written atomically (to a temporary file, then moved into
 * place), so a crash never leaves a half-written result. Provided by the workbench; thread-safe.
 */
@ProviderType
public interface ResultSink {
    /** The run's output directory (read-only use; write through {@link #write}). */
    Path directory();

    /** Writes {@code fileName} (relative, no {@code ..}) atomically with {@code body}. */
    void write(String fileName, IOBody body) throws IOException;

    /** Publishes a typed result: saved as JSON and handed to the visualizers that support it. */
    void publish(Result result) throws IOException;

    @FunctionalInterface
    interface IOBody {
        void writeTo(OutputStream out) throws IOException;
    }
}
