package org.dsv3.runner.server;

/**
 * One prompt of a {@code /v1/completions} request: a text (tokenized like {@code run --raw}, BOS
 * added when the model wants one) or token ids used exactly as given.
 *
 * @param text   the prompt text, or {@code null} for token ids
 * @param tokens the token ids, or {@code null} for a text
 */
record PromptInput(String text, int[] tokens) {
    static PromptInput text(String text) {
        return new PromptInput(text, null);
    }

    static PromptInput tokens(int[] tokens) {
        return new PromptInput(null, tokens);
    }
}
