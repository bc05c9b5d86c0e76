package org.dsv3.model.chat;

import java.util.Objects;

/**
 * A function call an assistant message made (OpenAI's {@code tool_calls} entry), as chat templates
 * read it: {@code tool['type']}, {@code tool['id']}, {@code tool['function']['name']},
 * {@code tool['function']['arguments']}.
 *
 * @param id        the call's id, which the tool message answering it names
 * @param name      the function's name
 * @param arguments the arguments, as the JSON text the model wrote
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
