package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.dsv3.model.chat.ToolCall;
import org.dsv3.runner.generate.json.JsonSchema;

/**
 * The tool fields of a chat request, checked: {@code tools}, {@code tool_choice},
 * {@code parallel_tool_calls} and an assistant message's {@code tool_calls}; every problem is a 400
 * naming the field.
 */
final class ToolFields {
    /** What OpenAI allows as a function name (and a json_schema name). */
    static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_TOOLS = 128;

    private ToolFields() {
    }

    /** An assistant message's {@code [{"id", "type": "function", "function": {"name", "arguments"}}]}. */
    static List<ToolCall> toolCalls(JsonNode list, String where) {
        if (!list.isArray()) {
            throw ApiError.invalid(where, where + " must be an array");
        }
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode c = list.get(i);
            String at = where + "[" + i + "]";
            if (!c.isObject()) {
                throw ApiError.invalid(at, at + " must be an object {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}");
            }
            JsonNode type = c.get("type");
            if (type != null && !type.isNull() && !"function".equals(type.asText(null))) {
                throw ApiError.invalid(at + ".type", at + ".type must be \"function\"");
            }
            JsonNode id = c.get("id");
            if (id == null || !id.isTextual()) {
                throw ApiError.invalid(at + ".id", at + ".id must be a string");
            }
            JsonNode f = c.get("function");
            if (f == null || !f.isObject()) {
                throw ApiError.invalid(at + ".function", at + ".function must be an object with a name and arguments");
            }
            JsonNode name = f.get("name");
            if (name == null || !name.isTextual() || name.asText().isEmpty()) {
                throw ApiError.invalid(at + ".function.name", at + ".function.name must be a non-empty string");
            }
            JsonNode args = f.get("arguments");
            if (args == null || !args.isTextual()) {
                throw ApiError.invalid(at + ".function.arguments", at + ".function.arguments must be a string (the arguments as JSON text)");
            }
            out.add(new ToolCall(id.asText(), name.asText(), args.asText()));
        }
        return out;
    }

    /** {@code tools} and {@code tool_choice}; {@code null} when the request offers no functions. */
    static ToolUse tools(JsonNode body) {
        JsonNode list = body.get("tools");
        JsonNode choiceNode = body.get("tool_choice");
        JsonNode parallel = body.get("parallel_tool_calls");
        if (parallel != null && !parallel.isNull()) {
            if (!parallel.isBoolean()) {
                throw ApiError.invalid("parallel_tool_calls", "parallel_tool_calls must be a boolean");
            }
            if (!parallel.asBoolean()) {
                throw ApiError.invalid("parallel_tool_calls", "parallel_tool_calls = false is not supported: "
                        + "the model may call several functions in one answer");
            }
        }
        boolean none = list == null || list.isNull() || (list.isArray() && list.isEmpty());
        if (none) {
            if (choiceNode != null && !choiceNode.isNull() && !"none".equals(choiceNode.asText(null))
                    && !"auto".equals(choiceNode.asText(null))) {
                throw ApiError.invalid("tool_choice", "tool_choice asks for a function call but the request has no tools");
            }
            return null;
        }
        if (!list.isArray()) {
            throw ApiError.invalid("tools", "tools must be an array");
        }
        if (list.size() > MAX_TOOLS) {
            throw ApiError.invalid("tools", "at most " + MAX_TOOLS + " tools are supported");
        }
        List<ToolUse.Function> functions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<String> strictNames = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String at = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText(null))) {
                throw ApiError.invalid(at + ".type", at + " must be {\"type\": \"function\", \"function\": {...}}: "
                        + "only function tools are supported");
            }
            JsonNode f = t.get("function");
            if (f == null || !f.isObject()) {
                throw ApiError.invalid(at + ".function", at + ".function must be an object");
            }
            JsonNode name = f.get("name");
            if (name == null || !name.isTextual() || !FUNCTION_NAME.matcher(name.asText()).matches()) {
                throw ApiError.invalid(at + ".function.name", at + ".function.name must be 1 to 64 letters, digits, '_', '.' or '-'");
            }
            if (!names.add(name.asText())) {
                throw ApiError.invalid(at + ".function.name", "two tools are named '" + name.asText() + "'");
            }
            JsonNode description = f.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                throw ApiError.invalid(at + ".function.description", at + ".function.description must be a string");
            }
            JsonNode parameters = f.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw ApiError.invalid(at + ".function.parameters", at + ".function.parameters must be a JSON schema object");
            }
            JsonNode strictNode = f.get("strict");
            if (strictNode != null && !strictNode.isNull() && !strictNode.isBoolean()) {
                throw ApiError.invalid(at + ".function.strict", at + ".function.strict must be a boolean");
            }
            boolean strict = strictNode != null && strictNode.asBoolean(false);
            JsonSchema arguments = JsonSchema.ANY_OBJECT;
            if (parameters != null && !parameters.isNull()) {
                try {
                    arguments = JsonSchema.compile(parameters);
                } catch (JsonSchema.UnsupportedSchemaException e) {
                    if (strict) {
                        throw ApiError.invalid(at + ".function.parameters" + e.path().substring("schema".length()),
                                "strict: " + at + ".function.parameters" + e.getMessage().substring("schema".length()));
                    }
                    arguments = null; // not strict: the arguments are only asked for, not enforced
                }
            }
            if (strict) {
                strictNames.add(name.asText());
            }
            functions.add(new ToolUse.Function(name.asText(), description == null || description.isNull() ? "" : description.asText(),
                    parameters == null || parameters.isNull() ? null : parameters, arguments));
        }
        ToolUse use = choice(choiceNode, functions, names);
        ToolUse.Function forced = use.forcedFunction();
        for (String strict : strictNames) {
            if (use.active() && (forced == null || !forced.name().equals(strict))) {
                throw ApiError.invalid("tool_choice", "the function '" + strict + "' is strict, and its arguments can only be"
                        + " enforced when the call is forced: set tool_choice to {\"type\": \"function\", \"function\":"
                        + " {\"name\": \"" + strict + "\"}} (or \"required\" with this one tool), or drop strict");
            }
        }
        return use;
    }

    private static ToolUse choice(JsonNode choiceNode, List<ToolUse.Function> functions, Set<String> names) {
        if (choiceNode == null || choiceNode.isNull()) {
            return new ToolUse(functions, ToolUse.Choice.AUTO, null);
        }
        if (choiceNode.isTextual()) {
            return switch (choiceNode.asText()) {
                case "none" -> new ToolUse(functions, ToolUse.Choice.NONE, null);
                case "auto" -> new ToolUse(functions, ToolUse.Choice.AUTO, null);
                case "required" -> new ToolUse(functions, ToolUse.Choice.REQUIRED, null);
                default -> throw ApiError.invalid("tool_choice", "tool_choice must be \"none\", \"auto\", \"required\" or "
                        + "{\"type\": \"function\", \"function\": {\"name\": ...}}, got \"" + choiceNode.asText() + "\"");
            };
        }
        JsonNode fn = choiceNode.path("function").path("name");
        if (!choiceNode.isObject() || !"function".equals(choiceNode.path("type").asText(null)) || !fn.isTextual()) {
            throw ApiError.invalid("tool_choice", "tool_choice must be \"none\", \"auto\", \"required\" or "
                    + "{\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        if (!names.contains(fn.asText())) {
            throw ApiError.invalid("tool_choice", "tool_choice names the function '" + fn.asText() + "', which is not among the tools");
        }
        return new ToolUse(functions, ToolUse.Choice.FUNCTION, fn.asText());
    }
}
