package org.dsv3.runner.generate;

import org.dsv3.model.chat.ReasoningSplitter;

/**
 * A {@link TextSink} that separates R1-style reasoning ({@code <think>…</think>}) from the answer
 * as the text streams, and passes both on.
 */
public final class ReasoningStream implements TextSink {

    /** Receives reasoning and answer text; either may be empty in a call. */
    @FunctionalInterface
    public interface Listener {
        void delta(String reasoning, String content);
    }

    private final ReasoningSplitter splitter;
    private final Listener listener;

    /** @param opensReasoning the prompt already opened the reasoning ({@link Prompt#opensReasoning()}) */
    public ReasoningStream(boolean opensReasoning, Listener listener) {
        this.splitter = new ReasoningSplitter(opensReasoning);
        this.listener = listener;
    }

    @Override
    public void text(String piece) {
        pass(splitter.push(piece));
    }

    /** Passes on what was held back (a partial tag); call once the generation is over. */
    public void finish() {
        pass(splitter.finish());
    }

    public String reasoning() {
        return splitter.reasoning();
    }

    public String content() {
        return splitter.content();
    }

    private void pass(ReasoningSplitter.Delta d) {
        if (!d.isEmpty()) {
            listener.delta(d.reasoning(), d.content());
        }
    }
}
