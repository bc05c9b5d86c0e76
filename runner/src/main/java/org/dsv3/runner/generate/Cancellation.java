package org.dsv3.runner.generate;

/**
 * A flag that stops a generation: set from any thread (a signal handler, a server thread that saw
 * the client go away), read by the generating thread between tokens.
 */
public final class Cancellation {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Clears the flag for the next generation. */
    public void clear() {
        cancelled = false;
    }
}
