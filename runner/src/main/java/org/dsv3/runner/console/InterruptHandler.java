package org.dsv3.runner.console;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs an action on Ctrl-C (SIGINT) instead of ending the process, while installed; closing it
 * puts the previous handler back. Uses {@code sun.misc.Signal} (module jdk.unsupported), the JDK's
 * only way to catch a signal; where that is refused (some embedded runtimes) Ctrl-C keeps its
 * default effect.
 */
public final class InterruptHandler implements AutoCloseable {
    private static final Signal INT = new Signal("INT");
    private final SignalHandler previous;

    private InterruptHandler(SignalHandler previous) {
        this.previous = previous;
    }

    public static InterruptHandler install(Runnable action) {
        SignalHandler previous = null;
        try {
            previous = Signal.handle(INT, sig -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // SIGINT cannot be caught here (e.g. the JVM runs with -Xrs): keep the default
        }
        return new InterruptHandler(previous);
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
    }
}
