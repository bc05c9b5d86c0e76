package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.dsv3.runner.generate.Cancellation;
import org.dsv3.runner.generate.FinishReason;
import org.dsv3.runner.generate.GenerationResult;
import org.dsv3.runner.generate.GenerationStats;
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
        Logprobs logprobs = req.chat() && req.wantsLogprobs() ? new Logprobs(tokenizer, req.logprobs()) : null;
        json.logprobs(logprobs);
        TokenObserver observer = logprobs == null ? TokenObserver.NONE : logprobs;
        if (req.stream()) {
            if (req.chat()) {
                streamed(ctx, req, pool.admit(), json, observer);
            } else {
                streamedText(ctx, req, pool.admit(), json);
            }
        } else {
            Cancellation cancel = new Cancellation();
            try (ClientWatch ignored = ClientWatch.start(ctx.req(), cancel::cancel)) {
                ctx.header("Connection", "close"); // the watch holds the connection's reads
                if (req.chat()) {
                    whole(ctx, req, pool.admit(), json, cancel, observer);
                } else {
                    wholeText(ctx, req, pool.admit(), json, cancel);
                }
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
            GenerationResult r = generate(ctx, slot, prompt, req, split, cancel, observer);
            if (cancel.isCancelled()) {
                return;
            }
            split.finish();
            if (calls != null) {
                calls.finish();
                body = json.completion(collected.content(), split.reasoning(), finishReason(r, calls), r.stats(),
                        collected.calls());
            } else {
                body = json.completion(split.content(), split.reasoning(), r.finish().openAiName(), r.stats());
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
        Slot slot = awaitStreaming(ticket, sse);
        if (slot == null) {
            return;
        }
        try {
            Prompt prompt = beforeStreaming(sse, () -> prompts.prompt(req));
            if (prompt == null) {
                return;
            }
            slot.session().reset();
            boolean usage = req.includeUsage();
            TextSink sink;
            ReasoningStream split;
            ToolCallParser calls;
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
            GenerationResult r = slot.generator().generate(prompt.tokens(), prompts.params(req, prompt), sink, cancel,
                    observer);
            metrics.finished(slot, r.stats());
            RequestLog.usage(ctx, r.stats());
            split.finish();
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

    /** The slot for a stream, sending keep-alive comments while it waits; {@code null} when the client left. */
    private static Slot awaitStreaming(SlotPool.Ticket ticket, SseStream sse) throws InterruptedException {
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
                        return null;
                    }
                }
            }
            return slot;
        } finally {
            if (slot == null) {
                ticket.abandon();
            }
        }
    }

    /** A fresh collector for one completions choice, listing its prompt from {@code from} with echo; {@code null} when none was asked. */
    private Logprobs textLogprobs(ApiRequest req, Prompt prompt, int from) {
        if (!req.wantsLogprobs()) {
            return null;
        }
        Logprobs l = new Logprobs(tokenizer, req.logprobs());
        if (req.echo()) {
            l.withPrompt(prompt.tokens(), from);
        }
        return l;
    }

    /** {@code /v1/completions}, whole: each prompt in turn on the slot, one choice each. */
    private void wholeText(Context ctx, ApiRequest req, SlotPool.Ticket ticket, ResponseJson json, Cancellation cancel)
            throws InterruptedException {
        Slot slot = await(ticket, cancel);
        if (slot == null) {
            return;
        }
        ObjectNode body;
        try {
            List<Prompt> list = prompts.completionPrompts(req);
            List<ObjectNode> choices = new ArrayList<>();
            GenerationStats total = null;
            for (int i = 0; i < list.size(); i++) {
                Prompt prompt = list.get(i);
                PromptInput in = req.prompts().get(i);
                Logprobs logprobs = textLogprobs(req, prompt, prompts.echoFrom(in, prompt));
                json.choice(i, logprobs);
                slot.session().reset();
                GenerationResult r = generate(ctx, slot, prompt, req, TextSink.NONE, cancel, logprobs);
                total = total == null ? r.stats() : total.plus(r.stats());
                if (cancel.isCancelled()) {
                    return;
                }
                choices.add(json.textChoice((req.echo() ? prompts.echoText(in) : "") + r.text(), r.finish().openAiName()));
            }
            body = json.textCompletion(choices, total);
        } finally {
            pool.release(slot);
        }
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private GenerationResult generate(Context ctx, Slot slot, Prompt prompt, ApiRequest req, TextSink sink,
                                      Cancellation cancel, TokenObserver observer) {
        try {
            GenerationResult r = slot.generator().generate(prompt.tokens(), prompts.params(req, prompt), sink, cancel,
                    observer == null ? TokenObserver.NONE : observer);
            metrics.finished(slot, r.stats());
            RequestLog.usage(ctx, r.stats());
            return r;
        } catch (NonFiniteLogitsException e) {
            throw new ApiError(500, "server_error", null, "non_finite_logits", e.getMessage());
        }
    }

    /** {@code /v1/completions}, streamed: the prompts' choices one after the other, each ending with its finish_reason chunk. */
    private void streamedText(Context ctx, ApiRequest req, SlotPool.Ticket ticket, ResponseJson json)
            throws InterruptedException {
        Cancellation cancel = new Cancellation();
        SseStream sse = new SseStream(ctx.res(), cancel);
        Slot slot = awaitStreaming(ticket, sse);
        if (slot == null) {
            return;
        }
        try {
            List<Prompt> list = beforeStreaming(sse, () -> prompts.completionPrompts(req));
            if (list == null) {
                return;
            }
            boolean usage = req.includeUsage();
            GenerationStats total = null;
            for (int i = 0; i < list.size() && !cancel.isCancelled(); i++) {
                Prompt prompt = list.get(i);
                PromptInput in = req.prompts().get(i);
                Logprobs logprobs = textLogprobs(req, prompt, prompts.echoFrom(in, prompt));
                json.choice(i, logprobs);
                // the echo goes first, once its log-probabilities (computed with the prompt) are known
                boolean[] echoed = {!req.echo()};
                String echo = req.echo() ? prompts.echoText(in) : "";
                TextSink sink = text -> {
                    if (!echoed[0]) {
                        echoed[0] = true;
                        sse.event(json.echoChunk(echo, usage));
                    }
                    sse.event(json.chunk(null, text, null, null, usage));
                };
                slot.session().reset();
                GenerationResult r = generate(ctx, slot, prompt, req, sink, cancel, logprobs);
                total = total == null ? r.stats() : total.plus(r.stats());
                if (!echoed[0]) {
                    sse.event(json.echoChunk(echo, usage));
                }
                sse.event(json.chunk(null, null, null, r.finish().openAiName(), usage));
            }
            if (usage && total != null) {
                sse.event(json.usageChunk(total));
            }
            sse.done();
        } catch (ApiError e) {
            if (!sse.started()) {
                throw e;
            }
            sse.event(e.toJson());
        } catch (RuntimeException e) {
            LOG.error("generation failed", e);
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

    /**
     * Builds a streamed request's prompts, then opens the event stream. A request error before anything was
     * sent is thrown (a plain error response); once the stream is open it goes out as an event and the
     * result is {@code null}.
     */
    private static <T> T beforeStreaming(SseStream sse, Supplier<T> build) {
        T built;
        try {
            built = build.get();
        } catch (ApiError e) {
            if (!sse.started()) {
                throw e;
            }
            sse.event(e.toJson());
            return null;
        }
        if (!sse.started()) {
            sse.start();
        }
        return built;
    }
}
