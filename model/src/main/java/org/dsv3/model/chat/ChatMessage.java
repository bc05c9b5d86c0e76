package org.dsv3.model.chat;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation. {@code role} is what the template expects: {@code system},
 * {@code user}, {@code assistant}, {@code tool}.
 *
 * @param toolCalls  the function calls of an assistant message (empty for none)
 * @param toolCallId for a {@code tool} message: the id of the call it answers ({@code null} otherwise)
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }

    /** The same message with another text. */
    public ChatMessage withContent(String text) {
        return new ChatMessage(role, text, toolCalls, toolCallId);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
