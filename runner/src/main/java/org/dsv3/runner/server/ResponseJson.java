package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.dsv3.runner.generate.GenerationStats;
import org.dsv3.runner.generate.ToolCallParser;

/**
 * The OpenAI response objects of one request: {@code chat.completion} and its
 * {@code chat.completion.chunk}s, or {@code text_completion} (whose chunks have the same shape).
 */
final class ResponseJson {
    static final String FINGERPRINT = "dsv3-0.1.0";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;
    private Logprobs logprobs;
    private int index;

    ResponseJson(boolean chat, String id, long created, String model) {
        this.chat = chat;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /**
     * Fills the choices' {@code logprobs} from {@code source}: a whole answer gets every entry, a
     * streamed chunk the entries collected since the previous chunk (null when none).
     */
    void logprobs(Logprobs source) {
        this.logprobs = source;
    }

    /** The choice that the next pieces belong to (completions with several prompts), and its log-probabilities. */
    void choice(int index, Logprobs source) {
        this.index = index;
        this.logprobs = source;
    }

    /** One {@code text_completion} choice of the current index: its whole text. */
    ObjectNode textChoice(String text, String finishReason) {
        ObjectNode choice = F.objectNode().put("index", index);
        choice.put("text", text);
        choice.set("logprobs", logprobs == null ? F.nullNode() : LogprobJson.of(false, logprobs, logprobs.all()));
        choice.put("finish_reason", finishReason);
        return choice;
    }

    /** A {@code text_completion} of several choices; {@code stats} counts them all. */
    ObjectNode textCompletion(List<ObjectNode> choices, GenerationStats stats) {
        ObjectNode root = header("text_completion");
        root.putArray("choices").addAll(choices);
        root.set("usage", usage(stats));
        root.set("timings", timings(stats));
        return root;
    }

    /** The echoed prompt of the current choice as a streamed piece, with the prompt's log-probabilities. */
    ObjectNode echoChunk(String text, boolean usageField) {
        ObjectNode root = header("text_completion");
        ObjectNode choice = F.objectNode().put("index", index).put("text", text);
        choice.set("logprobs", logprobs == null ? F.nullNode() : LogprobJson.of(false, logprobs, logprobs.drainPrompt()));
        choice.putNull("finish_reason");
        root.putArray("choices").add(choice);
        if (usageField) {
            root.putNull("usage");
        }
        return root;
    }

    private com.fasterxml.jackson.databind.JsonNode logprobsOfChunk() {
        return logprobs == null ? F.nullNode() : LogprobJson.of(chat, logprobs, logprobs.drain());
    }

    /** The whole answer (non-streaming). */
    ObjectNode completion(String content, String reasoning, String finishReason, GenerationStats stats) {
        return completion(content, reasoning, finishReason, stats, List.of());
    }

    /** A chat answer with the tool calls read from it; {@code content} is null when it is empty and there are calls. */
    ObjectNode completion(String content, String reasoning, String finishReason, GenerationStats stats,
                          List<ToolCallParser.Collected.Call> calls) {
        ObjectNode root = header(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = F.objectNode().put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            if (content.isEmpty() && !calls.isEmpty()) {
                message.putNull("content");
            } else {
                message.put("content", content);
            }
            if (!reasoning.isEmpty()) {
                message.put("reasoning_content", reasoning);
            }
            if (!calls.isEmpty()) {
                ArrayNode list = message.putArray("tool_calls");
                for (ToolCallParser.Collected.Call c : calls) {
                    ObjectNode call = list.addObject().put("id", toolCallId()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                }
            }
            message.putNull("refusal");
        } else {
            choice.put("text", content);
        }
        choice.set("logprobs", logprobs == null ? F.nullNode() : LogprobJson.of(chat, logprobs, logprobs.all()));
        choice.put("finish_reason", finishReason);
        root.putArray("choices").add(choice);
        root.set("usage", usage(stats));
        root.set("timings", timings(stats));
        return root;
    }

    /**
     * A streamed piece. {@code role} only in the first chat chunk; {@code finishReason} only in the
     * last; with {@code usageField}, {@code "usage": null} as OpenAI sends while usage is requested.
     */
    ObjectNode chunk(String role, String content, String reasoning, String finishReason, boolean usageField) {
        ObjectNode root = header(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = F.objectNode().put("index", index);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (role != null) {
                delta.put("role", role);
            }
            if (content != null) {
                delta.put("content", content);
            }
            if (reasoning != null) {
                delta.put("reasoning_content", reasoning);
            }
        } else {
            choice.put("text", content == null ? "" : content);
        }
        choice.set("logprobs", logprobsOfChunk());
        choice.put("finish_reason", finishReason);
        root.putArray("choices").add(choice);
        if (usageField) {
            root.putNull("usage");
        }
        return root;
    }

    /**
     * A streamed piece of a tool call, as OpenAI streams them: the first for a call carries its
     * {@code id}, {@code type} and {@code function.name} (and empty arguments), the next ones only
     * {@code index} and an {@code arguments} piece.
     */
    ObjectNode toolCallChunk(int index, String callId, String name, String arguments, boolean usageField) {
        ObjectNode root = header("chat.completion.chunk");
        ObjectNode choice = F.objectNode().put("index", 0);
        ObjectNode call = choice.putObject("delta").putArray("tool_calls").addObject().put("index", index);
        if (callId != null) {
            call.put("id", callId).put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (name != null) {
            function.put("name", name);
        }
        function.put("arguments", arguments);
        choice.set("logprobs", logprobsOfChunk());
        choice.putNull("finish_reason");
        root.putArray("choices").add(choice);
        if (usageField) {
            root.putNull("usage");
        }
        return root;
    }

    /** A new tool call id: {@code call_} and 24 random letters and digits. */
    static String toolCallId() {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder("call_");
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString();
    }

    /** The last streamed chunk when usage was asked for: no choices, the token counts. */
    ObjectNode usageChunk(GenerationStats stats) {
        ObjectNode root = header(chat ? "chat.completion.chunk" : "text_completion");
        root.putArray("choices");
        root.set("usage", usage(stats));
        root.set("timings", timings(stats));
        return root;
    }

    private ObjectNode header(String object) {
        ObjectNode root = F.objectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.put("system_fingerprint", FINGERPRINT);
        return root;
    }

    static ObjectNode usage(GenerationStats s) {
        ObjectNode u = F.objectNode();
        u.put("prompt_tokens", s.promptTokens());
        u.put("completion_tokens", s.generatedTokens());
        u.put("total_tokens", s.promptTokens() + s.generatedTokens());
        return u;
    }

    /** llama.cpp's extension: speeds, for clients that show them. */
    private static ObjectNode timings(GenerationStats s) {
        ObjectNode t = F.objectNode();
        t.put("prompt_n", s.promptTokens());
        t.put("prompt_ms", s.promptNanos() / 1e6);
        t.put("prompt_per_second", s.promptTokensPerSecond());
        t.put("predicted_n", s.generatedTokens());
        t.put("predicted_ms", s.generateNanos() / 1e6);
        t.put("predicted_per_second", s.generatedTokensPerSecond());
        return t;
    }

    static ObjectNode models(String model, long created) {
        ObjectNode root = F.objectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        data.addObject().put("id", model).put("object", "model").put("created", created).put("owned_by", "dsv3");
        return root;
    }
}
