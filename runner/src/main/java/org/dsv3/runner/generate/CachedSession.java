package org.dsv3.runner.generate;

import java.util.Arrays;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;

/**
 * A session together with the tokens its KV cache holds, so that a prompt that extends what was
 * processed before (the next turn of a chat) only computes its new part.
 */
public final class CachedSession implements AutoCloseable {
    private final InferenceSession session;
    private int[] tokens = new int[256];

    public CachedSession(InferenceSession session) {
        this.session = session;
    }

    public int maxContext() {
        return session.maxContext();
    }

    /** Tokens in the cache. */
    public int position() {
        return session.position();
    }

    /**
     * Keeps the longest cached prefix that {@code prompt} starts with, but always leaves at least
     * the prompt's last token to compute (its logits are needed); returns the number kept.
     */
    public int keepCommonPrefix(int[] prompt) {
        int n = Math.min(session.position(), prompt.length - 1);
        int common = 0;
        while (common < n && tokens[common] == prompt[common]) {
            common++;
        }
        if (common < session.position()) {
            session.truncate(common);
        }
        return common;
    }

    /** Runs {@code chunk} at the end of the cache and returns the logits of its last position. */
    public float[] forward(int[] chunk) {
        int at = session.position();
        float[] logits = session.forward(chunk, Logits.LAST_POSITION);
        remember(chunk, at);
        return logits;
    }

    /** Runs {@code chunk} like {@link #forward} and returns the logits of all its positions ({@code [chunk, vocab]}). */
    public float[] forwardAll(int[] chunk) {
        int at = session.position();
        float[] logits = session.forward(chunk, Logits.ALL_POSITIONS);
        remember(chunk, at);
        return logits;
    }

    private void remember(int[] chunk, int at) {
        if (at + chunk.length > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, at + chunk.length));
        }
        System.arraycopy(chunk, 0, tokens, at, chunk.length);
    }

    /** Forgets everything. */
    public void reset() {
        session.reset();
    }

    @Override
    public void close() {
        session.close();
    }
}
