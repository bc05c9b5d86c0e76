package org.dsv3.runner.generate;

/**
 * Sees the rows of logits a generation works with: for log-probabilities ({@code logprobs} of the
 * API). Called on the generating thread; the rows are only lent (copy what is kept).
 */
public interface TokenObserver {
    TokenObserver NONE = (token, logits) -> {
    };

    /**
     * A generated token (not the end-of-generation token) and the row it was drawn from, as the
     * sampler saw it at temperature 1: the model's logits with logit bias, presence / frequency
     * penalties, the repetition penalty and a structured-output mask applied, before top-k, top-p
     * and min-p. Called before the token's text is streamed.
     */
    void sampled(int token, float[] logits);

    /** Whether {@link #prompt} is wanted: the prompt is then computed from the start with every position's logits. */
    default boolean wantsPromptLogits() {
        return false;
    }

    /**
     * The model's raw logits at prompt position {@code position}: the distribution of the prompt's
     * token {@code position + 1}, {@code next}. Called in order, for every position but the last.
     */
    default void prompt(int position, float[] logits, int next) {
    }
}
