package org.polytopelens.api;

import java.util.concurrent.CancellationException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Progress reporting and cooperative cancellation for long work. Plugins call {@link
 * #checkCancelled()} between shards, batches or rows; it throws once the user cancelled or the
 * step ran past its time limit. Thread-safe.
 */
@ProviderType
public interface Progress {
    /** Fraction done in [0, 1] of the current step, with a short human message. */
    void report(double fraction, String message);

    boolean cancelled();

    default void checkCancelled() {
        if (cancelled()) {
            throw new CancellationException("cancelled");
        }
    }

    /** A progress that reports nowhere and is never cancelled (tests, nested work). */
    Progress NONE = new Progress() {
        @Override
        public void report(double fraction, String message) {}

        @Override
        public boolean cancelled() {
            return false;
        }
    };
}
