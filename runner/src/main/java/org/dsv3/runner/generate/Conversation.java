package org.dsv3.runner.generate;

import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.chat.ChatMessage;

/**
 * The messages of a multi-turn chat, the system message first. Answers are kept whole (reasoning
 * included); the prompt format drops earlier reasoning when rendering.
 */
public final class Conversation {
    private final String system;
    private final List<ChatMessage> messages = new ArrayList<>();

    /** @param system the system message, or {@code null} for none */
    public Conversation(String system) {
        this.system = system;
        reset();
    }

    public void addUser(String text) {
        messages.add(ChatMessage.user(text));
    }

    public void addAssistant(String text) {
        messages.add(ChatMessage.assistant(text));
    }

    /** Drops the last message (a question that could not be answered). */
    public void removeLast() {
        if (messages.size() > (system == null ? 0 : 1)) {
            messages.removeLast();
        }
    }

    /** Starts over: only the system message is left. */
    public void reset() {
        messages.clear();
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
    }

    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }
}
