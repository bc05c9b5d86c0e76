package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.dsv3.runner.generate.json.JsonSchema;

/**
 * The functions a chat request offers the model ({@code tools}) and whether it must call one
 * ({@code tool_choice}).
 *
 * @param tools  the functions, in the request's order
 * @param choice none, auto, required, or one function by name
 * @param forced for {@link Choice#FUNCTION}: the function's name ({@code null} otherwise)
 */
record ToolUse(List<Function> tools, Choice choice, String forced) {

    /**
     * One offered function: its name, description ({@code ""} when none), JSON-schema parameters
     * ({@code null} when none), and those parameters compiled for the JSON constraint ({@code null}
     * when they use keywords it does not enforce).
     */
    record Function(String name, String description, JsonNode parameters, JsonSchema arguments) {
    }

    enum Choice {
        /** The model must not call: the tools are not shown to it. */
        NONE,
        /** The model may answer in text or call. */
        AUTO,
        /** The model must call, any of the functions. */
        REQUIRED,
        /** The model must call {@link #forced()}. */
        FUNCTION
    }

    /**
     * The function the answer must call, when it is certain: the one {@code tool_choice} names, or
     * the only tool with {@code required}; {@code null} otherwise.
     */
    Function forcedFunction() {
        if (choice == Choice.FUNCTION) {
            return tools.stream().filter(f -> f.name().equals(forced)).findFirst().orElseThrow();
        }
        return choice == Choice.REQUIRED && tools.size() == 1 ? tools.getFirst() : null;
    }

    /** Whether the model's answer is read for calls. */
    boolean active() {
        return choice != Choice.NONE && !tools.isEmpty();
    }
}
