package org.dsv3.model.gguf;

import java.nio.file.Path;

/**
 * A GGUF file (or a set of split files) that cannot be used as it is. The message always names the
 * file and the field at fault.
 */
public class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }

    public static GgufException of(Path file, String field, String problem) {
        return new GgufException(file + ": " + field + ": " + problem);
    }
}
