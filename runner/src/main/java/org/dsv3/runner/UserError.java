package org.dsv3.runner;

/** An error caused by the user's input, reported as one line without a stack trace. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
