package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplateException;
import org.dsv3.model.chat.DeepSeekToolCalls;
import org.dsv3.runner.generate.Cancellation;
import org.dsv3.model.chat.ReasoningSplitter;
import org.dsv3.runner.generate.AfterReasoning;
import org.dsv3.runner.generate.FinishReason;
import org.dsv3.runner.generate.TokenConstraint;
import org.dsv3.runner.generate.GenerationParams;
import org.dsv3.runner.generate.json.JsonConstraint;
import org.dsv3.runner.generate.json.JsonSchema;
import org.dsv3.runner.generate.json.VocabularyTrie;
import org.dsv3.runner.generate.GenerationResult;
import org.dsv3.runner.generate.NonFiniteLogitsException;
import org.dsv3.runner.generate.Prompt;
import org.dsv3.runner.generate.PromptFormat;
import org.dsv3.runner.generate.ReasoningStream;
import org.dsv3.runner.generate.TextSink;
import org.dsv3.runner.generate.ToolCallParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one checked request: builds the prompt, waits for a slot, generates on a freshly reset
 * session (nothing of another request's cache is ever seen) and answers, as one JSON object or as
 * a stream of chunks.
 */
final class CompletionService {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionService.class);
    private static final long KEEP_ALIVE_MILLIS = 1000;

    private final PromptFormat chatPrompts;
    private final String noTemplate;
    private final PromptFormat rawPrompts;
    private final SlotPool pool;
    private final String modelName;
    private final int contextSize;
    private final ServerMetrics metrics;
    /** The vocabulary holds DeepSeek's tool-call tokens. */
    private final boolean toolMarkers;

    /**
     * @param chatPrompts the chat template's prompts, or {@code null} when the model has none
     * @param noTemplate  why there is no template (for the error message)
     */
    CompletionService(PromptFormat chatPrompts, String noTemplate, PromptFormat rawPrompts, SlotPool pool,
                      String modelName, int contextSize, ServerMetrics metrics) {
        this.chatPrompts = chatPrompts;
        this.noTemplate = noTemplate;
        this.rawPrompts = rawPrompts;
        this.pool = pool;
        this.modelName = modelName;
        this.contextSize = contextSize;
        this.metrics = metrics;
        this.toolMarkers = chatPrompts != null
                && DeepSeekToolCalls.MARKERS.stream().allMatch(m -> chatPrompts.tokenizer().tokenId(m) >= 0);
    }

    /**
     * Waits for a slot, then renders the prompt (the chat template runs inside the slot's time, so
     * the slot accounting sees it) and generates. A client that goes away while queued gives up
     * its place; one that goes away while its answer is made stops the generation.
     */
    void serve(Context ctx, ApiRequest req) throws InterruptedException {
        String id = (req.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        ResponseJson json = new ResponseJson(req.chat(), id, System.currentTimeMillis() / 1000, modelName);
        if (req.stream()) {
            streamed(ctx, req, pool.admit(), json);
        } else {
            Cancellation cancel = new Cancellation();
            try (ClientWatch ignored = ClientWatch.start(ctx.req(), cancel::cancel)) {
                ctx.header("Connection", "close"); // the watch holds the connection's reads
                whole(ctx, req, pool.admit(), json, cancel);
            }
        }
    }

    private Prompt prompt(ApiRequest req) {
        Prompt p;
        if (req.chat()) {
            if (chatPrompts == null) {
                throw ApiError.invalid("messages", "this model has no chat template (" + noTemplate
                        + "); use /v1/completions");
            }
            p = chatPrompt(req);
        } else {
            p = rawPrompts.raw(req.prompt());
        }
        if (p.tokens().length >= contextSize) {
            throw ApiError.invalid(req.chat() ? "messages" : "prompt", "context_length_exceeded",
                    "the prompt has " + p.tokens().length + " tokens, which leaves no room in the context of "
                            + contextSize + " tokens");
        }
        return p;
    }

    /**
     * The chat prompt: the template's rendering, with the request's tools (in the template's context,
     * or described in a system message of ours when the template does not render them), and a forced
     * call's markup appended for {@code tool_choice} required / a named function.
     */
    private Prompt chatPrompt(ApiRequest req) {
        ToolUse tools = req.readsToolCalls() ? req.tools() : null;
        if (tools != null && !toolMarkers) {
            throw ApiError.invalid("tools", "this model's vocabulary has no DeepSeek tool-call tokens ("
                    + String.join(" ", DeepSeekToolCalls.MARKERS) + "), so it cannot call tools");
        }
        List<ChatMessage> messages = req.messages();
        List<Map<String, Object>> templateTools = List.of();
        if (tools != null && chatPrompts.templateRendersTools()) {
            templateTools = ToolPrompt.forTemplate(tools);
        } else if (tools != null) {
            messages = ToolPrompt.withToolsMessage(messages, tools);
        }
        String text;
        try {
            text = chatPrompts.renderChat(messages, templateTools);
        } catch (ChatTemplateException e) {
            throw ApiError.invalid("messages", "the chat template cannot render these messages: " + e.getMessage());
        }
        // what the template wrote of the conversation itself: our tools message left out, as it names the functions too
        String conversation = tools != null && !chatPrompts.templateRendersTools()
                ? text.replace(ToolPrompt.systemText(tools), "") : text;
        ToolPrompt.checkRendered(conversation, req.messages(), chatPrompts.templateName());
        String prefill = tools == null ? "" : ToolPrompt.prefill(tools);
        if (!prefill.isEmpty() && text.stripTrailing().endsWith(ReasoningSplitter.OPEN)) {
            prefill = ReasoningSplitter.CLOSE + "\n\n" + prefill; // a forced call: the opened reasoning is closed first
        }
        return chatPrompts.chatText(text + prefill);
    }

    private VocabularyTrie trie;

    /** The vocabulary as a trie for the JSON constraint: built at the first request that needs it. */
    private synchronized VocabularyTrie trie() {
        if (trie == null) {
            trie = new VocabularyTrie(rawPrompts.tokenizer());
        }
        return trie;
    }

    /** The request's generation parameters, with the JSON constraint of its {@code response_format}. */
    private GenerationParams params(ApiRequest req, Prompt prompt) {
        JsonSchema schema = req.format();
        if (schema == null && req.readsToolCalls() && req.tools().forcedFunction() != null) {
            schema = req.tools().forcedFunction().arguments(); // a forced call's arguments, started by the prefill
        }
        if (schema == null) {
            return req.params();
        }
        TokenConstraint json = new JsonConstraint(schema, trie(), rawPrompts.tokenizer());
        // an R1 prompt that opens the reasoning: the thoughts are free, the answer after them is the JSON
        return req.params().withConstraint(prompt.opensReasoning() ? new AfterReasoning(json, rawPrompts.tokenizer()) : json);
    }

    /** The answer's text split into content and tool calls, when the request reads calls. */
    private static ToolCallParser toolParser(ApiRequest req, ToolCallParser.Listener listener) {
        if (!req.readsToolCalls()) {
            return null;
        }
        ToolCallParser parser = new ToolCallParser(listener);
        parser.push(ToolPrompt.prefill(req.tools())); // the forced beginning is part of the answer
        return parser;
    }

    /** OpenAI's {@code tool_calls} when the model ended its turn with calls. */
    private static String finishReason(GenerationResult r, ToolCallParser calls) {
        boolean ended = r.finish() == FinishReason.END_OF_GENERATION || r.finish() == FinishReason.STOP_STRING;
        return calls != null && calls.calls() > 0 && ended ? "tool_calls" : r.finish().openAiName();
    }

    private void whole(Context ctx, ApiRequest req, SlotPool.Ticket ticket, ResponseJson json, Cancellation cancel)
            throws InterruptedException {
        Slot slot = await(ticket, cancel);
        if (slot == null) {
            return; // the client left while waiting: nobody to answer
        }
        ObjectNode body;
        try {
            Prompt prompt = prompt(req);
            slot.session().reset();
            ToolCallParser.Collected collected = new ToolCallParser.Collected();
            ToolCallParser calls = toolParser(req, collected);
            ReasoningStream split = new ReasoningStream(prompt.opensReasoning(), (r, c) -> {
                if (calls != null && !c.isEmpty()) {
                    calls.push(c);
                }
            });
            GenerationResult r;
            try {
                r = slot.generator().generate(prompt.tokens(), params(req, prompt), req.chat() ? split : TextSink.NONE, cancel);
                metrics.finished(slot, r.stats());
            } catch (NonFiniteLogitsException e) {
                throw new ApiError(500, "server_error", null, "non_finite_logits", e.getMessage());
            }
            if (cancel.isCancelled()) {
                return;
            }
            split.finish();
            if (calls != null) {
                calls.finish();
                body = json.completion(collected.content(), split.reasoning(), finishReason(r, calls), r.stats(),
                        collected.calls());
            } else {
                body = req.chat()
                        ? json.completion(split.content(), split.reasoning(), r.finish().openAiName(), r.stats())
                        : json.completion(r.text(), "", r.finish().openAiName(), r.stats());
            }
        } finally {
            pool.release(slot);
        }
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private void streamed(Context ctx, ApiRequest req, SlotPool.Ticket ticket, ResponseJson json)
            throws InterruptedException {
        Cancellation cancel = new Cancellation();
        SseStream sse = new SseStream(ctx.res(), cancel);
        Slot slot = null;
        try {
            while (slot == null) {
                slot = ticket.await(KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (slot == null) {
                    if (!sse.started()) {
                        sse.start();
                    }
                    sse.comment("waiting for a free slot");
                    if (sse.broken()) {
                        return;
                    }
                }
            }
        } finally {
            if (slot == null) {
                ticket.abandon();
            }
        }
        try {
            Prompt prompt;
            try {
                prompt = prompt(req);
            } catch (ApiError e) {
                if (!sse.started()) {
                    throw e; // nothing sent yet: a plain error response
                }
                sse.event(e.toJson());
                return;
            }
            if (!sse.started()) {
                sse.start();
            }
            slot.session().reset();
            boolean usage = req.includeUsage();
            TextSink sink;
            ReasoningStream split = null;
            ToolCallParser calls = null;
            if (req.chat()) {
                sse.event(json.chunk("assistant", "", null, null, usage));
                calls = toolParser(req, new ToolCallParser.Listener() {
                    private final List<String> ids = new ArrayList<>();

                    @Override
                    public void content(String text) {
                        sse.event(json.chunk(null, text, null, null, usage));
                    }

                    @Override
                    public void callStart(int index, String name) {
                        ids.add(ResponseJson.toolCallId());
                        sse.event(json.toolCallChunk(index, ids.get(index), name, "", usage));
                    }

                    @Override
                    public void arguments(int index, String piece) {
                        sse.event(json.toolCallChunk(index, null, null, piece, usage));
                    }

                    @Override
                    public void callEnd(int index) {
                    }
                });
                ToolCallParser parser = calls;
                split = new ReasoningStream(prompt.opensReasoning(), (r, c) -> {
                    if (!r.isEmpty()) {
                        sse.event(json.chunk(null, null, r, null, usage));
                    }
                    if (!c.isEmpty()) {
                        if (parser != null) {
                            parser.push(c);
                        } else {
                            sse.event(json.chunk(null, c, null, null, usage));
                        }
                    }
                });
                sink = split;
            } else {
                sink = text -> sse.event(json.chunk(null, text, null, null, usage));
            }
            GenerationResult r = slot.generator().generate(prompt.tokens(), params(req, prompt), sink, cancel);
            metrics.finished(slot, r.stats());
            if (split != null) {
                split.finish();
            }
            if (calls != null) {
                calls.finish();
            }
            sse.event(json.chunk(null, null, null, finishReason(r, calls), usage));
            if (usage) {
                sse.event(json.usageChunk(r.stats()));
            }
            sse.done();
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            // the stream has begun: the error can only go in it
            if (e instanceof NonFiniteLogitsException) {
                LOG.warn("generation stopped: {}", e.getMessage());
            } else {
                LOG.error("generation failed", e);
            }
            sse.event(new ApiError(500, "server_error", null, null, "generation failed: " + e.getMessage()).toJson());
        } finally {
            pool.release(slot);
        }
    }

    /** The slot, or {@code null} when the client left (its place in line is given up). */
    private static Slot await(SlotPool.Ticket ticket, Cancellation cancel) throws InterruptedException {
        Slot slot = null;
        try {
            while (slot == null && !cancel.isCancelled()) {
                slot = ticket.await(200, TimeUnit.MILLISECONDS);
            }
            return slot;
        } finally {
            if (slot == null) {
                ticket.abandon();
            }
        }
    }
}
