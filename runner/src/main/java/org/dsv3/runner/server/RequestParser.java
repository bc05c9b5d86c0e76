package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ToolCall;
import org.dsv3.model.sampling.SamplerSettings;
import org.dsv3.runner.generate.GenerationParams;
import org.dsv3.runner.generate.LogitAdjustments;
import org.dsv3.runner.generate.json.JsonSchema;

/**
 * Checks the JSON of a request against what the server supports and turns it into an
 * {@link ApiRequest}; every problem is a 400 naming the offending field. Nothing is silently dropped:
 * a field this server does not know is refused by name, and so are features it lacks
 * ({@code n > 1}). The tool fields are checked by {@link ToolFields}, {@code response_format} by
 * {@link ResponseFormat}. Only fields that change nothing about the answer ({@code user}) are
 * accepted and left unused.
 */
final class RequestParser {
    /** Sampling defaults where a request does not say (llama.cpp's, which local clients expect). */
    static final float TEMPERATURE = 0.8f;
    static final int TOP_K = 40;
    static final float TOP_P = 0.95f;
    static final float MIN_P = 0.05f;
    private static final int MAX_STOPS = 16;
    /** Prompts one {@code /v1/completions} request may hold (each is generated in turn on one slot). */
    static final int MAX_PROMPTS = 16;
    private static final Map<String, String> ROLES = Map.of(
            "system", "system", "developer", "system", "user", "user", "assistant", "assistant", "tool", "tool");

    /** Fields both endpoints read. */
    private static final Set<String> COMMON = Set.of("model", "temperature", "top_p", "top_k", "min_p",
            "repeat_penalty", "frequency_penalty", "presence_penalty", "logit_bias", "seed", "n", "max_tokens",
            "stop", "stream", "stream_options", "logprobs", "user");
    private static final Set<String> CHAT_ONLY = Set.of("messages", "max_completion_tokens", "top_logprobs", "tools", "tool_choice",
            "parallel_tool_calls", "functions", "function_call", "response_format");
    private static final Set<String> COMPLETION_ONLY = Set.of("prompt", "echo", "suffix", "best_of");

    private final int contextSize;
    private final int vocabSize;

    /**
     * @param contextSize the tokens one slot holds: the bound for {@code max_tokens}
     * @param vocabSize   the number of token ids: the bound for {@code logit_bias} keys
     */
    RequestParser(int contextSize, int vocabSize) {
        this.contextSize = contextSize;
        this.vocabSize = vocabSize;
    }

    ApiRequest chat(JsonNode body) {
        refuseUnknown(body, CHAT_ONLY, "/v1/chat/completions");
        List<ChatMessage> messages = messages(body.get("messages"));
        refuseUnsupported(body);
        ToolUse tools = ToolFields.tools(body);
        JsonSchema format = ResponseFormat.parse(body.get("response_format"));
        if (format != null && tools != null && tools.active()) {
            throw ApiError.invalid("response_format", "response_format json_object / json_schema cannot be combined with tools"
                    + " (a tool call is not JSON text); use tool_choice \"none\" or leave the tools out");
        }
        return new ApiRequest(true, messages, List.of(), params(body), bool(body, "stream"), includeUsage(body), tools,
                format, chatLogprobs(body), false);
    }

    ApiRequest completion(JsonNode body) {
        refuseUnknown(body, COMPLETION_ONLY, "/v1/completions");
        List<PromptInput> prompts = prompts(body.get("prompt"));
        refuseUnsupported(body);
        boolean echo = bool(body, "echo");
        if (present(body, "suffix")) {
            throw ApiError.invalid("suffix", "suffix (fill-in-the-middle) is not supported");
        }
        Integer bestOf = integer(body, "best_of");
        if (bestOf != null && bestOf != 1) {
            throw ApiError.invalid("best_of", "only best_of = 1 is supported");
        }
        return new ApiRequest(prompts, params(body), bool(body, "stream"), includeUsage(body), completionLogprobs(body), echo);
    }

    /** Chat: {@code logprobs: true} lists the answer's tokens, {@code top_logprobs: N} (0..20, needs it) N alternatives each. */
    private static int chatLogprobs(JsonNode body) {
        boolean on = bool(body, "logprobs");
        Integer top = integer(body, "top_logprobs");
        if (top != null && (top < 0 || top > Logprobs.MAX_TOP)) {
            throw ApiError.invalid("top_logprobs", "top_logprobs must be between 0 and " + Logprobs.MAX_TOP + ", got " + top);
        }
        if (top != null && !on) {
            throw ApiError.invalid("top_logprobs", "top_logprobs needs logprobs: true");
        }
        return on ? (top == null ? 0 : top) : ApiRequest.NO_LOGPROBS;
    }

    /** Completions (the legacy shape): {@code logprobs: N} (0..20) lists the tokens with N alternatives each. */
    private static int completionLogprobs(JsonNode body) {
        JsonNode v = body.get("logprobs");
        if (v != null && v.isBoolean()) {
            throw ApiError.invalid("logprobs", "logprobs on /v1/completions is the number of alternatives per token"
                    + " (0.." + Logprobs.MAX_TOP + "), not a boolean");
        }
        Integer n = integer(body, "logprobs");
        if (n == null) {
            return ApiRequest.NO_LOGPROBS;
        }
        if (n < 0 || n > Logprobs.MAX_TOP) {
            throw ApiError.invalid("logprobs", "logprobs must be between 0 and " + Logprobs.MAX_TOP + ", got " + n);
        }
        return n;
    }

    private static List<ChatMessage> messages(JsonNode list) {
        if (list == null || list.isNull()) {
            throw ApiError.invalid("messages", "messages is required");
        }
        if (!list.isArray()) {
            throw ApiError.invalid("messages", "messages must be an array");
        }
        if (list.isEmpty()) {
            throw ApiError.invalid("messages", "messages must not be empty");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(message(list.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    private static ChatMessage message(JsonNode m, String where) {
        if (!m.isObject()) {
            throw ApiError.invalid(where, where + " must be an object with a role and a content");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw ApiError.invalid(where + ".role", where + ".role must be a string");
        }
        String mapped = ROLES.get(role.asText());
        if (mapped == null) {
            throw ApiError.invalid(where + ".role", "unknown role '" + role.asText()
                    + "' (supported: system, developer, user, assistant, tool)");
        }
        if (present(m, "function_call")) {
            throw ApiError.invalid(where + ".function_call", "function_call (the old form of tool calls) is not supported; use tool_calls");
        }
        List<ToolCall> calls = List.of();
        if (present(m, "tool_calls")) {
            if (!mapped.equals("assistant")) {
                throw ApiError.invalid(where + ".tool_calls", "only assistant messages have tool_calls");
            }
            calls = ToolFields.toolCalls(m.get("tool_calls"), where + ".tool_calls");
        }
        String toolCallId = null;
        if (mapped.equals("tool")) {
            JsonNode id = m.get("tool_call_id");
            if (id == null || !id.isTextual()) {
                throw ApiError.invalid(where + ".tool_call_id", where + ".tool_call_id must be the id (a string) of the call this message answers");
            }
            toolCallId = id.asText();
        }
        String text = content(m.get("content"), where + ".content", mapped.equals("assistant"));
        return new ChatMessage(mapped, text, calls, toolCallId);
    }


    /** A string, or an array of {@code {"type": "text", "text": …}} parts; {@code null} only for an assistant. */
    private static String content(JsonNode c, String where, boolean nullable) {
        if (c == null || c.isNull()) {
            if (nullable) {
                return "";
            }
            throw ApiError.invalid(where, where + " is required");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw ApiError.invalid(where, where + " must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String at = where + "[" + i + "]";
            if (!part.isObject() || !"text".equals(part.path("type").asText(null))) {
                throw ApiError.invalid(at, at + " must be a text part ({\"type\": \"text\", \"text\": ...}); "
                        + "other content types are not supported");
            }
            JsonNode t = part.get("text");
            if (t == null || !t.isTextual()) {
                throw ApiError.invalid(at + ".text", at + ".text must be a string");
            }
            text.append(t.asText());
        }
        return text.toString();
    }

    /**
     * OpenAI's four prompt shapes: a string, an array of strings, an array of token ids, an array of
     * arrays of token ids; one choice per prompt. Every prompt must be non-empty, every id in the vocabulary.
     */
    private List<PromptInput> prompts(JsonNode p) {
        if (p == null || p.isNull()) {
            throw ApiError.invalid("prompt", "prompt is required");
        }
        if (p.isTextual()) {
            return List.of(textPrompt(p, "prompt"));
        }
        if (!p.isArray()) {
            throw ApiError.invalid("prompt", "prompt must be a string, an array of strings, an array of token ids"
                    + " or an array of arrays of token ids");
        }
        if (p.isEmpty()) {
            throw ApiError.invalid("prompt", "prompt must not be an empty array");
        }
        if (p.get(0).isIntegralNumber()) {
            return List.of(PromptInput.tokens(tokenIds(p, "prompt")));
        }
        if (p.size() > MAX_PROMPTS) {
            throw ApiError.invalid("prompt", "at most " + MAX_PROMPTS + " prompts per request, got " + p.size());
        }
        boolean texts = p.get(0).isTextual();
        List<PromptInput> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            JsonNode e = p.get(i);
            String at = "prompt[" + i + "]";
            if (texts && e.isTextual()) {
                out.add(textPrompt(e, at));
            } else if (!texts && e.isArray()) {
                out.add(PromptInput.tokens(tokenIds(e, at)));
            } else {
                throw ApiError.invalid("prompt", at + " must be " + (texts ? "a string" : "an array of token ids")
                        + " like prompt[0] (the shapes cannot be mixed)");
            }
        }
        return out;
    }

    private static PromptInput textPrompt(JsonNode p, String at) {
        if (p.asText().isEmpty()) {
            throw ApiError.invalid("prompt", at + " must not be empty");
        }
        return PromptInput.text(p.asText());
    }

    private int[] tokenIds(JsonNode list, String at) {
        if (list.isEmpty()) {
            throw ApiError.invalid("prompt", at + " must not be an empty array of token ids");
        }
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = list.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() >= vocabSize) {
                throw ApiError.invalid("prompt", at + "[" + i + "] must be a token id (an integer from 0 to "
                        + (vocabSize - 1) + "), got " + v);
            }
            ids[i] = v.asInt();
        }
        return ids;
    }

    /** The first field (in the body's order) that neither {@link #COMMON} nor {@code own} holds is a 400. */
    private static void refuseUnknown(JsonNode body, Set<String> own, String endpoint) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String f = names.next();
            if (!COMMON.contains(f) && !own.contains(f)) {
                throw ApiError.invalid(f, "unsupported_parameter", "'" + f + "' is not supported by " + endpoint
                        + " on this server");
            }
        }
    }

    private static void refuseUnsupported(JsonNode body) {
        JsonNode model = body.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw ApiError.invalid("model", "model must be a string");
        }
        Integer n = integer(body, "n");
        if (n != null && n != 1) {
            throw ApiError.invalid("n", "only n = 1 is supported");
        }
        for (String f : List.of("functions", "function_call")) {
            if (present(body, f)) {
                throw ApiError.invalid(f, f + " (the old form of tool calls) is not supported; use tools and tool_choice");
            }
        }
    }

    private GenerationParams params(JsonNode body) {
        float temperature = number(body, "temperature", 0, 2, TEMPERATURE);
        float topP = number(body, "top_p", 0, 1, TOP_P);
        if (topP == 0) {
            temperature = 0; // top_p 0 keeps only the most likely token
            topP = 1;
        }
        float minP = number(body, "min_p", 0, 1, MIN_P);
        float repeat = number(body, "repeat_penalty", 0.01, 10, 1f);
        float frequency = number(body, "frequency_penalty", -2, 2, 0f);
        float presence = number(body, "presence_penalty", -2, 2, 0f);
        LogitAdjustments logits = new LogitAdjustments(logitBias(body.get("logit_bias")), presence, frequency);
        Integer topK = integer(body, "top_k");
        if (topK != null && topK < 0) {
            throw ApiError.invalid("top_k", "top_k must be >= 0");
        }
        Long seed = longValue(body, "seed");
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        SamplerSettings sampler = new SamplerSettings(temperature, topK == null ? TOP_K : topK, topP, minP, repeat, 64, s);
        return new GenerationParams(sampler, maxTokens(body), stops(body.get("stop")), logits);
    }

    /** {@code {"token id": bias}} with ids below the vocabulary size and biases in [-100, 100]. */
    private Map<Integer, Float> logitBias(JsonNode bias) {
        if (bias == null || bias.isNull()) {
            return Map.of();
        }
        if (!bias.isObject()) {
            throw ApiError.invalid("logit_bias", "logit_bias must be an object mapping token ids to numbers");
        }
        Map<Integer, Float> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = bias.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                id = -1;
            }
            if (id < 0 || id >= vocabSize || !e.getKey().matches("[0-9]+")) {
                throw ApiError.invalid("logit_bias", "logit_bias key '" + e.getKey()
                        + "' is not a token id (an integer from 0 to " + (vocabSize - 1) + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -100 && v.asDouble() <= 100)) {
                throw ApiError.invalid("logit_bias", "logit_bias for token " + id + " must be a number between -100 and 100, got " + v);
            }
            out.put(id, (float) v.asDouble());
        }
        return out;
    }

    private int maxTokens(JsonNode body) {
        String field = present(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Integer max = integer(body, field);
        if (max == null) {
            return 0;
        }
        if (max <= 0 || max > contextSize) {
            throw ApiError.invalid(field, String.format(Locale.ROOT,
                    "%s must be between 1 and the context size %d, got %d", field, contextSize, max));
        }
        return max;
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray()) {
            throw ApiError.invalid("stop", "stop must be a string or an array of strings");
        }
        if (stop.size() > MAX_STOPS) {
            throw ApiError.invalid("stop", "at most " + MAX_STOPS + " stop strings are supported");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw ApiError.invalid("stop", "stop must be a string or an array of strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    private static boolean includeUsage(JsonNode body) {
        JsonNode opts = body.get("stream_options");
        if (opts == null || opts.isNull()) {
            return false;
        }
        if (!opts.isObject()) {
            throw ApiError.invalid("stream_options", "stream_options must be an object");
        }
        return bool(opts, "include_usage");
    }

    private static boolean present(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid(field, field + " must be a boolean");
        }
        return v.asBoolean();
    }

    private static float number(JsonNode body, String field, double min, double max, float otherwise) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isNumber()) {
            throw ApiError.invalid(field, field + " must be a number");
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw ApiError.invalid(field, field + " must be between " + fmt(min) + " and " + fmt(max) + ", got " + v);
        }
        return (float) d;
    }

    private static Integer integer(JsonNode body, String field) {
        Long v = longValue(body, field);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw ApiError.invalid(field, field + " is out of range");
        }
        return v.intValue();
    }

    private static Long longValue(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.invalid(field, field + " must be an integer");
        }
        return v.asLong();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
