package org.dsv3.runner.server;

import java.util.List;
import java.util.Map;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplateException;
import org.dsv3.model.chat.DeepSeekToolCalls;
import org.dsv3.model.chat.ReasoningSplitter;
import org.dsv3.runner.generate.AfterReasoning;
import org.dsv3.runner.generate.GenerationParams;
import org.dsv3.runner.generate.Prompt;
import org.dsv3.runner.generate.PromptFormat;
import org.dsv3.runner.generate.TokenConstraint;
import org.dsv3.runner.generate.json.JsonConstraint;
import org.dsv3.runner.generate.json.JsonSchema;
import org.dsv3.runner.generate.json.VocabularyTrie;

/**
 * What a checked request is generated from: its prompt tokens (chat template, tools, a forced call's
 * start) and its generation parameters (with the JSON constraint of {@code response_format} or of a
 * forced call's arguments). Every problem is a 400.
 */
final class RequestPrompts {
    private final PromptFormat chatPrompts;
    private final String noTemplate;
    private final PromptFormat rawPrompts;
    private final int contextSize;
    /** The vocabulary holds DeepSeek's tool-call tokens. */
    private final boolean toolMarkers;

    /**
     * @param chatPrompts the chat template's prompts, or {@code null} when the model has none
     * @param noTemplate  why there is no template (for the error message)
     */
    RequestPrompts(PromptFormat chatPrompts, String noTemplate, PromptFormat rawPrompts, int contextSize) {
        this.chatPrompts = chatPrompts;
        this.noTemplate = noTemplate;
        this.rawPrompts = rawPrompts;
        this.contextSize = contextSize;
        this.toolMarkers = chatPrompts != null
                && DeepSeekToolCalls.MARKERS.stream().allMatch(m -> chatPrompts.tokenizer().tokenId(m) >= 0);
    }

    /** A chat request's prompt: rendered with the template (and the tools); a 400 when it does not fit. */
    Prompt prompt(ApiRequest req) {
        if (chatPrompts == null) {
            throw ApiError.invalid("messages", "this model has no chat template (" + noTemplate
                    + "); use /v1/completions");
        }
        return fits(chatPrompt(req), "messages", "the prompt");
    }

    /** A completions request's prompts, in order: texts tokenized raw, token ids as they are; a 400 when one does not fit. */
    List<Prompt> completionPrompts(ApiRequest req) {
        List<Prompt> out = new java.util.ArrayList<>();
        for (int i = 0; i < req.prompts().size(); i++) {
            PromptInput in = req.prompts().get(i);
            Prompt p = in.text() != null ? rawPrompts.raw(in.text()) : new Prompt(in.tokens(), false);
            out.add(fits(p, "prompt", req.prompts().size() == 1 ? "the prompt" : "prompt[" + i + "]"));
        }
        return out;
    }

    /** What {@code echo} writes of a prompt: the text as sent, or the ids' text. */
    String echoText(PromptInput in) {
        return in.text() != null ? in.text() : rawPrompts.tokenizer().decode(in.tokens());
    }

    /** The first prompt token {@code echo} lists: 1 past a BOS the server added (its text is not echoed), else 0. */
    int echoFrom(PromptInput in, Prompt p) {
        String bos = rawPrompts.tokenizer().bosText();
        boolean added = in.text() != null && p.tokens().length > 0 && p.tokens()[0] == rawPrompts.tokenizer().bosId()
                && !(!bos.isEmpty() && in.text().startsWith(bos));
        return added ? 1 : 0;
    }

    private Prompt fits(Prompt p, String field, String what) {
        if (p.tokens().length >= contextSize) {
            throw ApiError.invalid(field, "context_length_exceeded",
                    what + " has " + p.tokens().length + " tokens, which leaves no room in the context of "
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
    GenerationParams params(ApiRequest req, Prompt prompt) {
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
}
