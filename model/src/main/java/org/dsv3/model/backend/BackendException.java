package org.dsv3.model.backend;

/**
 * A backend cannot run here: its runtime is missing, the requested device does not exist, or its
 * kernels failed to compile for the device. The message is one line meant for the user.
 */
public class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
