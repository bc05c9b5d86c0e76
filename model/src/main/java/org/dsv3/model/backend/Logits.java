package org.dsv3.model.backend;

/** Which positions of a forward step produce logits. */
public enum Logits {
    /** One row of {@code vocab} logits per input token ({@code [T, vocab]}, row-major). */
    ALL_POSITIONS,
    /** Only the last input token's row ({@code [vocab]}): what generation needs. */
    LAST_POSITION
}
