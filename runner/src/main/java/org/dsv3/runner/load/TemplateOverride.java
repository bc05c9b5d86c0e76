package org.dsv3.runner.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.dsv3.model.chat.BuiltinChatTemplate;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.chat.ChatTemplateException;
import org.dsv3.model.chat.JinjaChatTemplate;
import org.dsv3.model.gguf.GgufFile;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.runner.UserError;

/**
 * A chat template given on the command line ({@code --chat-template NAME|FILE}) in place of the
 * model file's: a built-in format by name, or a Jinja template read from a file. Parsed (and a file's
 * template rendered once on a sample message) before the model is loaded, so that a typo costs no
 * load; the BOS/EOS texts come from the model once it is open.
 *
 * @param format  the built-in format, or {@code null} for a Jinja file
 * @param file    the Jinja file, or {@code null} for a built-in format
 * @param source  the file's text ({@code null} for a built-in format)
 */
public record TemplateOverride(BuiltinChatTemplate.Format format, Path file, String source) {

    /** The built-in format ids, for messages: {@code deepseek-v3, deepseek-r1, …}. */
    public static String formatNames() {
        return Arrays.stream(BuiltinChatTemplate.Format.values()).map(BuiltinChatTemplate.Format::id)
                .collect(Collectors.joining(", "));
    }

    /**
     * A built-in format's id, else an existing file's path.
     *
     * @throws UserError when {@code value} is neither, or the file cannot be read or is empty
     */
    public static TemplateOverride parse(String value) {
        if (value == null || value.isBlank()) {
            throw new UserError("--chat-template is empty: give a built-in format (" + formatNames() + ") or a Jinja file");
        }
        var format = BuiltinChatTemplate.Format.byId(value.strip());
        if (format.isPresent()) {
            return new TemplateOverride(format.get(), null, null);
        }
        Path file = Path.of(value);
        if (!Files.exists(file)) {
            throw new UserError("--chat-template " + value + ": neither a built-in format (" + formatNames()
                    + ") nor an existing file");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("--chat-template " + file + ": cannot read it: " + GgufFile.reason(e));
        }
        if (text.isBlank()) {
            throw new UserError("--chat-template " + file + ": the file is empty");
        }
        // a trial rendering finds syntax errors and unknown filters now, not after the load
        try {
            new JinjaChatTemplate(file.getFileName().toString(), text, "", "").render(List.of(ChatMessage.user("hello")), true);
        } catch (ChatTemplateException e) {
            throw new UserError("--chat-template: " + e.getMessage());
        }
        return new TemplateOverride(null, file, text);
    }

    /** The template for the model whose metadata is {@code md} (its BOS and EOS token texts). */
    public ChatTemplate resolve(GgufMetadata md) {
        String bos = tokenText(md, "tokenizer.ggml.bos_token_id");
        String eos = tokenText(md, "tokenizer.ggml.eos_token_id");
        if (format != null) {
            return new BuiltinChatTemplate(format, bos, eos);
        }
        return new JinjaChatTemplate(file.getFileName() + " (--chat-template)", source, bos, eos);
    }

    /** The text of the token whose id the metadata key holds ("" when there is none). */
    public static String tokenText(GgufMetadata md, String key) {
        if (!md.contains(key) || !md.contains("tokenizer.ggml.tokens")) {
            return "";
        }
        String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
        long id = md.getLong(key);
        return id >= 0 && id < tokens.length ? tokens[(int) id] : "";
    }
}
