package org.dsv3.runner.generate;

import java.util.List;
import java.util.Map;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.chat.ReasoningSplitter;
import org.dsv3.model.tokenizer.Tokenizer;

/** Turns a conversation (through the chat template) or a raw text into prompt tokens. */
public final class PromptFormat {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;

    public PromptFormat(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * A conversation rendered with the chat template and ending with the opening of an assistant
     * turn; earlier answers go in without their reasoning.
     */
    public Prompt chat(List<ChatMessage> messages) {
        List<ChatMessage> clean = ChatTemplate.withoutReasoning(messages);
        String text = template.render(clean, true);
        int[] tokens = ChatTemplate.encode(tokenizer, template, clean, true);
        return new Prompt(tokens, text.stripTrailing().endsWith(ReasoningSplitter.OPEN));
    }

    /** Whether the chat template writes a request's {@code tools} into the prompt itself. */
    public boolean templateRendersTools() {
        return template.rendersTools();
    }

    public String templateName() {
        return template.name();
    }

    /** The conversation's prompt text (earlier answers without their reasoning), with tools for templates that render them. */
    public String renderChat(List<ChatMessage> messages, List<Map<String, Object>> tools) {
        return template.render(ChatTemplate.withoutReasoning(messages), true, tools);
    }

    /** The prompt of a rendered conversation text (see {@link #renderChat}), to which more may have been appended. */
    public Prompt chatText(String rendered) {
        return new Prompt(ChatTemplate.encodeText(tokenizer, rendered), rendered.stripTrailing().endsWith(ReasoningSplitter.OPEN));
    }

    /**
     * A text as it is, special tokens written in it included, with the BOS token first when the
     * tokenizer wants one and the text does not already start with it.
     */
    public Prompt raw(String text) {
        String bos = tokenizer.bosText();
        boolean hasBos = !bos.isEmpty() && text.startsWith(bos);
        return new Prompt(tokenizer.encode(text, true, tokenizer.addBosToken() && !hasBos), false);
    }
}
