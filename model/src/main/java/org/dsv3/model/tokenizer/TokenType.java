package org.dsv3.model.tokenizer;

/** The values of {@code tokenizer.ggml.token_type}. */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    /** The type stored as {@code code} in a GGUF file; unknown codes count as {@link #UNDEFINED}. */
    public static TokenType ofCode(long code) {
        TokenType[] all = values();
        return code >= 0 && code < all.length ? all[(int) code] : UNDEFINED;
    }

    /** Whether the token's text is raw text rather than byte-level characters. */
    boolean rawText() {
        return this == CONTROL || this == USER_DEFINED || this == UNUSED || this == UNKNOWN;
    }
}
