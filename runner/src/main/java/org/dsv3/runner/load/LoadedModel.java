package org.dsv3.runner.load;

import java.util.Optional;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.generate.PromptFormat;

/**
 * A model ready to generate: the open file, its configuration, tokenizer and chat template, and the
 * backend holding the weights. Closing it closes the backend and then the file.
 */
public final class LoadedModel implements AutoCloseable {
    private final String name;
    private final GgufModel file;
    private final DeepSeekConfig config;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final String templateProblem;
    private final InferenceBackend backend;

    LoadedModel(String name, GgufModel file, DeepSeekConfig config, Tokenizer tokenizer, ChatTemplate template,
                String templateProblem, InferenceBackend backend) {
        this.name = name;
        this.file = file;
        this.config = config;
        this.tokenizer = tokenizer;
        this.template = template;
        this.templateProblem = templateProblem;
        this.backend = backend;
    }

    /** The model's name: its file name without {@code .gguf} (and without a split suffix). */
    public String name() {
        return name;
    }

    public GgufModel file() {
        return file;
    }

    public DeepSeekConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public InferenceBackend backend() {
        return backend;
    }

    /** The chat template, when the file has one or a built-in format fits its vocabulary. */
    public Optional<ChatTemplate> template() {
        return Optional.ofNullable(template);
    }

    /** Why there is no chat template (empty when there is one). */
    public String templateProblem() {
        return templateProblem == null ? "" : templateProblem;
    }

    /**
     * Prompts rendered with the chat template.
     *
     * @throws IllegalStateException when the file has no usable template
     */
    public PromptFormat prompts() {
        if (template == null) {
            throw new IllegalStateException(templateProblem);
        }
        return new PromptFormat(tokenizer, template);
    }

    /** Prompts for raw text only (no chat template needed). */
    public PromptFormat rawPrompts() {
        return new PromptFormat(tokenizer, template);
    }

    /** A new session with its own KV cache. */
    public CachedSession newSession(SessionOptions options) {
        return new CachedSession(backend.newSession(options));
    }

    @Override
    public void close() {
        try {
            backend.close();
        } finally {
            file.close();
        }
    }
}
