package org.dsv3.model.chat;

import java.time.Duration;

/**
 * How much work one rendering of a chat template may do: a time limit and a number of template
 * nodes (text, expressions, tags, counted each time a loop body runs them). Jinjava calls
 * {@link #step()} before each node; once the budget is spent, or the rendering thread is
 * interrupted (the client went away), every further step throws {@link Exceeded}, so no template
 * can loop for long however it nests.
 */
final class RenderBudget {
    private static final ThreadLocal<RenderBudget> CURRENT = new ThreadLocal<>();

    private final long deadlineNanos;
    private final Duration timeLimit;
    private final long maxNodes;
    private long nodes;
    private String spent;

    /** Thrown once the budget is spent; names which limit. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    RenderBudget(Duration timeLimit, long maxNodes) {
        this.timeLimit = timeLimit;
        this.maxNodes = maxNodes;
        this.deadlineNanos = System.nanoTime() + timeLimit.toNanos();
    }

    /** Runs {@code render} with this budget counting the nodes it renders on this thread. */
    <T> T apply(java.util.function.Supplier<T> render) {
        RenderBudget outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return render.get();
        } finally {
            CURRENT.set(outer);
        }
    }

    /** The budget of the rendering on this thread, charged one node (nothing when none runs). */
    static void stepCurrent() {
        RenderBudget b = CURRENT.get();
        if (b != null) {
            b.step();
        }
    }

    void step() {
        if (spent == null) {
            nodes++;
            if (nodes > maxNodes) {
                spent = "the template rendered more than " + maxNodes + " nodes (a loop too long for a prompt)";
            } else if ((nodes & 255) == 0 && System.nanoTime() > deadlineNanos) {
                spent = "the template ran longer than its limit of " + timeLimit.toMillis() + " ms";
            } else if (Thread.currentThread().isInterrupted()) {
                spent = "the rendering was cancelled";
            }
        }
        if (spent != null) {
            throw new Exceeded(spent);
        }
    }

    /** Why the budget is spent, or {@code null}. */
    String spent() {
        return spent;
    }
}
