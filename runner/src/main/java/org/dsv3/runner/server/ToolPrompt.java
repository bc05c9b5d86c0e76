package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.DeepSeekToolCalls;
import org.dsv3.model.chat.ToolCall;

/**
 * How a chat request's tools reach the prompt. A template that renders {@code tools} gets them as
 * they came; for one that does not (DeepSeek-V3's renders only calls and results) the functions and
 * DeepSeek's call markup are described in a system message of ours, placed after the request's
 * leading system messages. {@code tool_choice} {@code required} / a named function is kept by
 * starting the answer with the call markup ({@link #prefill}), which the model then continues.
 * {@link #checkRendered} refuses a conversation whose calls or results the template left out.
 */
final class ToolPrompt {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolPrompt() {
    }

    /** The tools as the template reads them: {@code [{"type": "function", "function": {name, description, parameters}}]}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> forTemplate(ToolUse use) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ToolUse.Function f : use.tools()) {
            ObjectNode t = JsonNodeFactory.instance.objectNode().put("type", "function");
            t.set("function", describe(f));
            out.add(JSON.convertValue(t, Map.class));
        }
        return out;
    }

    private static ObjectNode describe(ToolUse.Function f) {
        ObjectNode fn = JsonNodeFactory.instance.objectNode().put("name", f.name());
        if (!f.description().isEmpty()) {
            fn.put("description", f.description());
        }
        if (f.parameters() != null) {
            fn.set("parameters", f.parameters());
        }
        return fn;
    }

    /** Our description of the functions and how to call them, for templates that do not render tools. */
    static String systemText(ToolUse use) {
        StringBuilder sb = new StringBuilder("## Tools\n\nYou can call these functions (one JSON object per function:"
                + " its name, what it does, and a JSON schema of its arguments):\n\n");
        for (ToolUse.Function f : use.tools()) {
            sb.append(describe(f)).append('\n');
        }
        sb.append("\nTo call functions, answer with exactly this markup, one call per line, the arguments as one JSON object:\n")
                .append(DeepSeekToolCalls.CALLS_BEGIN).append(DeepSeekToolCalls.call("FUNCTION_NAME", "{\"argument\": \"value\"}"))
                .append(DeepSeekToolCalls.CALLS_END)
                .append("\nThe results come back as tool outputs; then answer the user with them.");
        return sb.toString();
    }

    /** The messages with our tools system message inserted after the leading system messages. */
    static List<ChatMessage> withToolsMessage(List<ChatMessage> messages, ToolUse use) {
        List<ChatMessage> out = new ArrayList<>(messages);
        int at = 0;
        while (at < out.size() && out.get(at).role().equals("system")) {
            at++;
        }
        out.add(at, ChatMessage.system(systemText(use)));
        return out;
    }

    /** What the answer is made to begin with: the call markup for a forced call, {@code ""} otherwise. */
    static String prefill(ToolUse use) {
        ToolUse.Function forced = use.forcedFunction();
        if (forced != null) {
            return DeepSeekToolCalls.CALLS_BEGIN + DeepSeekToolCalls.CALL_BEGIN + "function" + DeepSeekToolCalls.SEP
                    + forced.name() + "\n```json\n";
        }
        return use.choice() == ToolUse.Choice.REQUIRED
                ? DeepSeekToolCalls.CALLS_BEGIN + DeepSeekToolCalls.CALL_BEGIN + "function" + DeepSeekToolCalls.SEP : "";
    }

    /**
     * The template must have written every call (name and arguments) and every tool result of the
     * conversation; one it left out would change the conversation without a word, so it is a 400.
     */
    static void checkRendered(String rendered, List<ChatMessage> messages, String templateName) {
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            for (int j = 0; j < m.toolCalls().size(); j++) {
                ToolCall c = m.toolCalls().get(j);
                if (!rendered.contains(c.name()) || !rendered.contains(c.arguments())) {
                    throw ApiError.invalid("messages[" + i + "].tool_calls", "the chat template (" + templateName
                            + ") does not render messages[" + i + "].tool_calls[" + j + "]"
                            + (m.content().isEmpty() ? "" : "; DeepSeek-V3's template renders an assistant message's"
                            + " tool calls only when its content is null or empty"));
                }
            }
            if (m.role().equals("tool") && !rendered.contains(m.content())) {
                throw ApiError.invalid("messages[" + i + "]", "the chat template (" + templateName
                        + ") does not render the tool result messages[" + i + "]");
            }
        }
    }
}
