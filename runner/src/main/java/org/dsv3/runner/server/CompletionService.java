package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.dsv3.model.chat.ChatTemplateException;
import org.dsv3.runner.generate.Cancellation;
import org.dsv3.runner.generate.GenerationResult;
import org.dsv3.runner.generate.Prompt;
import org.dsv3.runner.generate.PromptFormat;
import org.dsv3.runner.generate.ReasoningStream;
import org.dsv3.runner.generate.TextSink;
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

    /**
     * @param chatPrompts the chat template's prompts, or {@code null} when the model has none
     * @param noTemplate  why there is no template (for the error message)
     */
    CompletionService(PromptFormat chatPrompts, String noTemplate, PromptFormat rawPrompts, SlotPool pool,
                      String modelName, int contextSize) {
        this.chatPrompts = chatPrompts;
        this.noTemplate = noTemplate;
        this.rawPrompts = rawPrompts;
        this.pool = pool;
        this.modelName = modelName;
        this.contextSize = contextSize;
    }

    void serve(Context ctx, ApiRequest req) throws InterruptedException {
        Prompt prompt = prompt(req);
        SlotPool.Ticket ticket = pool.admit();
        String id = (req.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        ResponseJson json = new ResponseJson(req.chat(), id, System.currentTimeMillis() / 1000, modelName);
        if (req.stream()) {
            streamed(ctx, req, prompt, ticket, json);
        } else {
            whole(ctx, req, prompt, ticket, json);
        }
    }

    private Prompt prompt(ApiRequest req) {
        Prompt p;
        if (req.chat()) {
            if (chatPrompts == null) {
                throw ApiError.invalid("messages", "this model has no chat template (" + noTemplate
                        + "); use /v1/completions");
            }
            try {
                p = chatPrompts.chat(req.messages());
            } catch (ChatTemplateException e) {
                throw ApiError.invalid("messages", "the chat template cannot render these messages: " + e.getMessage());
            }
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

    private void whole(Context ctx, ApiRequest req, Prompt prompt, SlotPool.Ticket ticket, ResponseJson json)
            throws InterruptedException {
        Slot slot = awaitForever(ticket);
        ObjectNode body;
        try {
            slot.session().reset();
            ReasoningStream split = new ReasoningStream(prompt.opensReasoning(), (r, c) -> {
            });
            GenerationResult r = slot.generator().generate(prompt.tokens(), req.params(), req.chat() ? split : TextSink.NONE,
                    new Cancellation());
            split.finish();
            body = req.chat()
                    ? json.completion(split.content(), split.reasoning(), r.finish().openAiName(), r.stats())
                    : json.completion(r.text(), "", r.finish().openAiName(), r.stats());
        } finally {
            pool.release(slot);
        }
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private void streamed(Context ctx, ApiRequest req, Prompt prompt, SlotPool.Ticket ticket, ResponseJson json)
            throws InterruptedException {
        Cancellation cancel = new Cancellation();
        SseStream sse = new SseStream(ctx.res(), cancel);
        sse.start();
        Slot slot = null;
        try {
            while (slot == null) {
                slot = ticket.await(KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (slot == null) {
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
            slot.session().reset();
            boolean usage = req.includeUsage();
            TextSink sink;
            ReasoningStream split = null;
            if (req.chat()) {
                sse.event(json.chunk("assistant", "", null, null, usage));
                split = new ReasoningStream(prompt.opensReasoning(), (r, c) -> {
                    if (!r.isEmpty()) {
                        sse.event(json.chunk(null, null, r, null, usage));
                    }
                    if (!c.isEmpty()) {
                        sse.event(json.chunk(null, c, null, null, usage));
                    }
                });
                sink = split;
            } else {
                sink = text -> sse.event(json.chunk(null, text, null, null, usage));
            }
            GenerationResult r = slot.generator().generate(prompt.tokens(), req.params(), sink, cancel);
            if (split != null) {
                split.finish();
            }
            sse.event(json.chunk(null, null, null, r.finish().openAiName(), usage));
            if (usage) {
                sse.event(json.usageChunk(r.stats()));
            }
            sse.done();
        } catch (RuntimeException e) {
            // the stream has begun: the error can only go in it
            LOG.error("generation failed", e);
            sse.event(new ApiError(500, "server_error", null, null, "generation failed: " + e.getMessage()).toJson());
        } finally {
            pool.release(slot);
        }
    }

    private static Slot awaitForever(SlotPool.Ticket ticket) throws InterruptedException {
        Slot slot = null;
        try {
            while (slot == null) {
                slot = ticket.await(1, TimeUnit.HOURS);
            }
            return slot;
        } finally {
            if (slot == null) {
                ticket.abandon();
            }
        }
    }
}
