package org.dsv3.model.backend;

/**
 * One sequence being processed: the KV cache and the position of the next token. Not thread-safe;
 * one session per conversation. Closing it frees the cache.
 */
public interface InferenceSession extends AutoCloseable {

    /** Number of tokens already in the cache, which is the position of the next token. */
    int position();

    /** The most positions this session can hold. */
    int maxContext();

    /**
     * Runs the model over {@code tokens} at positions {@link #position()} … {@code position() + T - 1}
     * (causal: each token sees the cache and the tokens before it in this call), appends them to the
     * cache and advances the position by T.
     *
     * @return the logits of every position ({@code [T * vocab]}) or of the last one ({@code [vocab]})
     * @throws IllegalArgumentException when a token id is outside the vocabulary or the context would overflow
     */
    float[] forward(int[] tokens, Logits which);

    /**
     * Runs {@code tokens} like {@link #forward} and returns the id of the largest logit of the last
     * position (greedy decoding; ties go to the lower id). Backends on a device override this to
     * bring back one id instead of a vocabulary of logits.
     */
    default int forwardArgmax(int[] tokens) {
        float[] logits = forward(tokens, Logits.LAST_POSITION);
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Forgets every token: the next forward starts at position 0. */
    void reset();

    /** Keeps only the first {@code position} tokens (0 ≤ position ≤ {@link #position()}). */
    void truncate(int position);

    @Override
    void close();
}
