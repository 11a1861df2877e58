package org.polytopelens.api;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Extension point: opens model files (ONNX) for inference. Several backends may open the same
 * file: the workbench picks the highest {@link #priority} unless the experiment names one.
 * Thread-safety: {@code open} may be called concurrently.
 */
@ConsumerType
public interface ModelBackend extends Provider {
    /** How well this backend handles {@code model}; negative if it cannot open it at all. */
    int priority(Path model);

    /**
     * Opens {@code model}. The user's file is never modified; any rewritten copy is the
     * backend's own. Errors name the file and, for unsupported content, the op and node.
     */
    Model open(Path model, Parameters params) throws IOException;
}
