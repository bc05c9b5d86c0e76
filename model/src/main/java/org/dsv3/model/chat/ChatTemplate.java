package org.dsv3.model.chat;

import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a conversation into the prompt text a model was trained on.
 *
 * <p>{@link #fromGguf} renders the file's own {@code tokenizer.chat_template} (Jinja, see
 * {@link JinjaChatTemplate}); a file without one gets a built-in format chosen from its vocabulary
 * ({@link BuiltinChatTemplate}).
 *
 * <p>Earlier assistant turns are passed to the template without their reasoning: a message holding
 * {@code </think>} keeps only the text after the last one ({@link ReasoningSplitter#stripReasoning}),
 * as DeepSeek-R1's official template does.
 *
 * <p>BOS: DeepSeek's templates write {@code bos_token} themselves ({@link #rendersBos()}); tokenize
 * such a prompt without adding another one. {@link #encode} does this right for any template.
 */
public interface ChatTemplate {

    /** A name for messages: where the template comes from. */
    String name();

    /**
     * The prompt text.
     *
     * @param addGenerationPrompt end with the opening of an assistant turn, for the model to continue
     * @throws ChatTemplateException naming the template and the problem when it cannot be rendered
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    /**
     * The prompt text, with function definitions for templates that render them ({@link #rendersTools()});
     * others ignore {@code tools}.
     *
     * @param tools OpenAI-style tool objects ({@code {"type": "function", "function": {...}}}) as maps and lists
     */
    default String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        return render(messages, addGenerationPrompt);
    }

    /** Whether the template writes the {@code tools} it is given into the prompt. */
    default boolean rendersTools() {
        return false;
    }

    /** Whether rendered prompts already begin with the BOS token's text. */
    boolean rendersBos();

    /**
     * The template of a GGUF file: its {@code tokenizer.chat_template}, else a built-in format that
     * fits its vocabulary.
     *
     * @throws ChatTemplateException when there is no template and no built-in format fits
     */
    static ChatTemplate fromGguf(GgufMetadata md) {
        String file = md.source() == null ? "(in memory)" : md.source().getFileName().toString();
        String[] tokens = md.contains("tokenizer.ggml.tokens") ? md.getStringArray("tokenizer.ggml.tokens") : new String[0];
        String bos = tokenText(md, tokens, "tokenizer.ggml.bos_token_id");
        String eos = tokenText(md, tokens, "tokenizer.ggml.eos_token_id");
        Optional<String> source = md.optString("tokenizer.chat_template");
        if (source.isPresent() && !source.get().isBlank()) {
            return new JinjaChatTemplate(file + " tokenizer.chat_template", source.get(), bos, eos);
        }
        BuiltinChatTemplate.Format format = BuiltinChatTemplate.Format.forVocabulary(List.of(tokens))
                .orElseThrow(() -> new ChatTemplateException(file, "the file has no tokenizer.chat_template and its"
                        + " vocabulary fits none of the built-in formats (DeepSeek-V3/R1, DeepSeek-V2, Kimi-K2)"));
        return new BuiltinChatTemplate(format, bos, eos);
    }

    private static String tokenText(GgufMetadata md, String[] tokens, String key) {
        if (!md.contains(key)) {
            return "";
        }
        long id = md.getLong(key);
        return id >= 0 && id < tokens.length ? tokens[(int) id] : "";
    }

    /**
     * The token ids of a conversation: rendered, parsed with special tokens, with the BOS token
     * exactly once when the tokenizer wants one (added only if the template did not write it).
     */
    static int[] encode(Tokenizer tokenizer, ChatTemplate template, List<ChatMessage> messages, boolean addGenerationPrompt) {
        return encodeText(tokenizer, template.render(messages, addGenerationPrompt));
    }

    /** The token ids of a rendered prompt text: parsed with special tokens, BOS added when wanted and missing. */
    static int[] encodeText(Tokenizer tokenizer, String text) {
        String bos = tokenizer.bosText();
        boolean hasBos = !bos.isEmpty() && text.startsWith(bos);
        return tokenizer.encode(text, true, tokenizer.addBosToken() && !hasBos);
    }

    /** Earlier assistant turns without their reasoning. */
    static List<ChatMessage> withoutReasoning(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            if (m.role().equals("assistant") && m.content().contains(ReasoningSplitter.CLOSE)) {
                out.add(m.withContent(ReasoningSplitter.stripReasoning(m.content())));
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
