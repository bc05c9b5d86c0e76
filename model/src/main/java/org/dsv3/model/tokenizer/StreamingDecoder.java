package org.dsv3.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text one token at a time. A token can end in the middle of a UTF-8
 * sequence (a CJK character or an emoji is often spread over two or three byte-level tokens); such
 * bytes are held back until the sequence is complete, so every string returned is whole text and
 * the concatenation of all of them (plus {@link #flush()}) equals {@link Tokenizer#decode(int[])}
 * of all the tokens. Not thread-safe: one decoder per generation stream.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int n;

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text that token {@code id} completes; empty while a UTF-8 sequence is still unfinished. */
    public String push(int id) {
        byte[] b = tokenizer.tokenBytes(id);
        if (n + b.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, n + b.length));
        }
        System.arraycopy(b, 0, pending, n, b.length);
        n += b.length;
        int cut = Utf8.completePrefix(pending, n);
        if (cut == 0) {
            return "";
        }
        String s = new String(pending, 0, cut, StandardCharsets.UTF_8);
        System.arraycopy(pending, cut, pending, 0, n - cut);
        n -= cut;
        return s;
    }

    /** Whatever is still held back, with U+FFFD for an unfinished sequence; the decoder is then empty. */
    public String flush() {
        String s = new String(pending, 0, n, StandardCharsets.UTF_8);
        n = 0;
        return s;
    }

    /** Number of bytes held back. */
    public int pendingBytes() {
        return n;
    }
}
