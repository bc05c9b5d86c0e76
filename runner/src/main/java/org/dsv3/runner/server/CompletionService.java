package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.dsv3.runner.generate.Cancellation;
import org.dsv3.runner.generate.FinishReason;
import org.dsv3.runner.generate.GenerationResult;
import org.dsv3.runner.generate.NonFiniteLogitsException;
import org.dsv3.runner.generate.Prompt;
import org.dsv3.runner.generate.PromptFormat;
import org.dsv3.runner.generate.ReasoningStream;
import org.dsv3.runner.generate.TextSink;
import org.dsv3.runner.generate.TokenObserver;
import org.dsv3.runner.generate.ToolCallParser;
import org.dsv3.model.tokenizer.Tokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one checked request: waits for a slot, builds the prompt ({@link RequestPrompts}), generates on a freshly reset
 * session (nothing of another request's cache is ever seen) and answers, as one JSON object or as
 * a stream of chunks.
 */
final class CompletionService {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionService.class);
    private static final long KEEP_ALIVE_MILLIS = 1000;

    private final RequestPrompts prompts;
    private final SlotPool pool;
    private final String modelName;
    private final ServerMetrics metrics;
    private final Tokenizer tokenizer;

    /**
     * @param chatPrompts the chat template's prompts, or {@code null} when the model has none
     * @param noTemplate  why there is no template (for the error message)
     */
    CompletionService(PromptFormat chatPrompts, String noTemplate, PromptFormat rawPrompts, SlotPool pool,
                      String modelName, int contextSize, ServerMetrics metrics) {
        this.prompts = new RequestPrompts(chatPrompts, noTemplate, rawPrompts, contextSize);
        this.pool = pool;
        this.modelName = modelName;
        this.metrics = metrics;
        this.tokenizer = rawPrompts.tokenizer();
    }

    /**
     * Waits for a slot, then renders the prompt (the chat template runs inside the slot's time, so
     * the slot accounting sees it) and generates. A client that goes away while queued gives up
     * its place; one that goes away while its answer is made stops the generation.
     */
    void serve(Context ctx, ApiRequest req) throws InterruptedException {
        String id = (req.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        ResponseJson json = new ResponseJson(req.chat(), id, System.currentTimeMillis() / 1000, modelName);
        Logprobs logprobs = req.wantsLogprobs() ? new Logprobs(tokenizer, req.logprobs()) : null;
        json.logprobs(logprobs);
        TokenObserver observer = logprobs == null ? TokenObserver.NONE : logprobs;
        if (req.stream()) {
            streamed(ctx, req, pool.admit(), json, observer);
        } else {
            Cancellation cancel = new Cancellation();
            try (ClientWatch ignored = ClientWatch.start(ctx.req(), cancel::cancel)) {
                ctx.header("Connection", "close"); // the watch holds the connection's reads
                whole(ctx, req, pool.admit(), json, cancel, observer);
            }
        }
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

    private void whole(Context ctx, ApiRequest req, SlotPool.Ticket ticket, ResponseJson json, Cancellation cancel,
                       TokenObserver observer) throws InterruptedException {
        Slot slot = await(ticket, cancel);
        if (slot == null) {
            return; // the client left while waiting: nobody to answer
        }
        ObjectNode body;
        try {
            Prompt prompt = prompts.prompt(req);
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
                r = slot.generator().generate(prompt.tokens(), prompts.params(req, prompt), req.chat() ? split : TextSink.NONE, cancel,
                        observer);
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

    private void streamed(Context ctx, ApiRequest req, SlotPool.Ticket ticket, ResponseJson json,
                          TokenObserver observer) throws InterruptedException {
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
                prompt = prompts.prompt(req);
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
            GenerationResult r = slot.generator().generate(prompt.tokens(), prompts.params(req, prompt), sink, cancel,
                    observer);
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
