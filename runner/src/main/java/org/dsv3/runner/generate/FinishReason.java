package org.dsv3.runner.generate;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced an end-of-generation token. */
    END_OF_GENERATION("stop", "end of generation"),
    /** The text reached one of the stop strings (which is not part of the output). */
    STOP_STRING("stop", "stop string"),
    /** The requested number of tokens was generated. */
    MAX_TOKENS("length", "token limit"),
    /** The session's context is full: nothing more fits. */
    CONTEXT_FULL("length", "context full"),
    /** Cancelled (Ctrl-C, a client that went away). */
    CANCELLED("stop", "cancelled");

    private final String openAi;
    private final String description;

    FinishReason(String openAi, String description) {
        this.openAi = openAi;
        this.description = description;
    }

    /** The OpenAI API's {@code finish_reason}: {@code stop} or {@code length}. */
    public String openAiName() {
        return openAi;
    }

    /** A few words for people. */
    public String description() {
        return description;
    }
}
