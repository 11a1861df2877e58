package org.polytopelens.backend.nd4j;

import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs code that touches ND4J with the thread context class loader set to the loader of this
 * bundle's embedded ND4J: ND4J finds its backend with {@code ServiceLoader} on that loader, and
 * under OSGi (where the caller's loader is some other bundle's) it otherwise fails with
 * {@code NoAvailableBackendException}. Referring to {@code Nd4j.class} does not initialise ND4J.
 */
final class Nd4jContext {
    private Nd4jContext() {}

    static <T> T call(Callable<T> work) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Nd4j.class.getClassLoader());
        try {
            return work.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
