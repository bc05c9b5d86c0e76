package org.dsv3.runner.load;

import java.io.PrintWriter;

/**
 * Shows how a long step (mapping, checking, reading, uploading a model) goes. On a terminal a
 * redrawn bar ({@link BarProgress}); in a pipe or a log one line per finished step
 * ({@link LineProgress}).
 */
public interface Progress {

    /** One step under way. */
    interface Step {
        /** Work done so far, in the unit of the step's total (bytes). */
        void update(long done);

        /** The step is over; {@code summary} says what was done (the elapsed time is added). */
        void done(String summary);

        /** The step failed: take back what it drew, so that the error message starts on a clean line. */
        default void abandon() {
        }
    }

    /** Shows nothing. */
    Progress QUIET = (label, total) -> new Step() {
        @Override
        public void update(long done) {
        }

        @Override
        public void done(String summary) {
        }
    };

    /** Starts a step; {@code total} is 0 when the amount of work is not known. */
    Step start(String label, long total);

    /** A bar on a terminal, else one-line reports, written to {@code err}. */
    static Progress forTerminal(PrintWriter err, boolean terminal) {
        return terminal ? new BarProgress(err) : new LineProgress(err);
    }
}
