package org.dsv3.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dsv3.model.chat.BuiltinChatTemplate;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dsv3 template}: a conversation rendered with the model's chat template. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = {"Prints a conversation rendered with the model file's chat template, exactly (no newline added).",
                "MESSAGES.json holds [{\"role\": \"user\", \"content\": \"...\"}, ...] or {\"messages\": [...]}."})
final class TemplateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF file (a full model or a vocab-only file)")
    Path model;

    @Option(names = "--messages", required = true, paramLabel = "MESSAGES.json", description = "the conversation")
    Path messages;

    @Option(names = "--no-generation-prompt", description = "do not end with the opening of an assistant turn")
    boolean noGenerationPrompt;

    @Option(names = "--builtin", paramLabel = "FORMAT",
            description = "use a built-in format instead of the file's template: deepseek-v3, deepseek-r1, deepseek-v2, kimi-k2")
    String builtin;

    @Override
    public Integer call() throws IOException {
        List<ChatMessage> msgs = readMessages(messages);
        ChatTemplate template;
        try (GgufModel m = GgufModel.open(model)) {
            GgufMetadata md = m.metadata();
            if (builtin != null) {
                var format = BuiltinChatTemplate.Format.byId(builtin)
                        .orElseThrow(() -> new UserError("--builtin: unknown format '" + builtin
                                + "' (deepseek-v3, deepseek-r1, deepseek-v2, kimi-k2)"));
                String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
                template = new BuiltinChatTemplate(format, text(tokens, md, "tokenizer.ggml.bos_token_id"),
                        text(tokens, md, "tokenizer.ggml.eos_token_id"));
            } else {
                template = ChatTemplate.fromGguf(md);
            }
        }
        String rendered = template.render(msgs, !noGenerationPrompt);
        PrintWriter out = spec.commandLine().getOut();
        out.print(rendered);
        out.flush();
        return 0;
    }

    private static String text(String[] tokens, GgufMetadata md, String key) {
        if (!md.contains(key)) {
            return "";
        }
        long id = md.getLong(key);
        return id >= 0 && id < tokens.length ? tokens[(int) id] : "";
    }

    static List<ChatMessage> readMessages(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new UserError(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode list = root != null && root.isObject() ? root.get("messages") : root;
        if (list == null || !list.isArray()) {
            throw new UserError(file + ": expected a JSON array of messages or an object with a \"messages\" array");
        }
        List<ChatMessage> msgs = new ArrayList<>();
        int i = 0;
        for (JsonNode m : list) {
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw new UserError(file + ": message " + i + " needs a string \"role\" and a string \"content\"");
            }
            msgs.add(new ChatMessage(role.asText(), content.asText()));
            i++;
        }
        return msgs;
    }
}
