package org.polytopelens.core.internal;

import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.polytopelens.api.Progress;

/**
 * One step's progress: cancelled when the run's progress is cancelled or when the step's time
 * limit has passed (checked cooperatively through {@link #checkCancelled()}).
 */
final class StepProgress implements Progress {
    private final Progress parent;
    private final long deadline; // System.nanoTime(), or 0 for none
    private final long limitSeconds;
    private final Consumer<String> log;
    private volatile int lastPercent = -1;

    StepProgress(Progress parent, long limitSeconds, Consumer<String> log) {
        this.parent = parent;
        this.limitSeconds = limitSeconds;
        this.deadline = limitSeconds > 0 ? System.nanoTime() + limitSeconds * 1_000_000_000L : 0;
        this.log = log;
    }

    boolean timedOut() {
        return deadline != 0 && System.nanoTime() - deadline > 0;
    }

    @Override
    public void report(double fraction, String message) {
        parent.report(fraction, message);
        int pct = (int) Math.floor(fraction * 10) * 10;
        if (pct != lastPercent) { // at most 11 log lines per step
            lastPercent = pct;
            log.accept(pct + "% " + message);
        }
    }

    @Override
    public boolean cancelled() {
        return parent.cancelled() || timedOut();
    }

    @Override
    public void checkCancelled() {
        if (timedOut()) {
            throw new CancellationException("time limit of " + limitSeconds + " s exceeded");
        }
        if (parent.cancelled()) {
            throw new CancellationException("cancelled");
        }
    }
}
