package org.dsv3.runner.generate;

/** The prompt does not fit in the session's context. */
public final class ContextOverflowException extends RuntimeException {
    private final int promptTokens;
    private final int maxContext;

    public ContextOverflowException(int promptTokens, int maxContext) {
        super("the prompt has " + promptTokens + " tokens but the context holds " + maxContext);
        this.promptTokens = promptTokens;
        this.maxContext = maxContext;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int maxContext() {
        return maxContext;
    }
}
