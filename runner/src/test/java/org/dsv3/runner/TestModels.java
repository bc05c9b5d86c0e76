package org.dsv3.runner;

import java.nio.file.Path;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.model.TestData;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.runner.load.LoadSpec;
import org.dsv3.runner.load.LoadedModel;
import org.dsv3.runner.load.ModelLoader;
import org.dsv3.runner.load.Progress;

/** The tiny random DeepSeek-V3 the runner tests generate with (real V3 chat template, 2048-token vocabulary). */
public final class TestModels {
    public static final String TINY = "models/quant/tiny-v3.q4_k_m.gguf";

    private TestModels() {
    }

    /** The model file; skips the test when the data set in use lacks it. */
    public static Path tiny() {
        return TestData.require(TINY);
    }

    /** The tiny model on the CPU with two threads. */
    public static LoadedModel loadTiny() {
        return load("cpu");
    }

    /** The tiny model's file, tokenizer and template on the backend called {@code provider}. */
    public static LoadedModel load(String provider) {
        return new ModelLoader(Progress.QUIET).load(new LoadSpec(tiny(), provider, new BackendOptions(2), GroupRouting.AUTO, false));
    }

    private static Tokenizer tokenizer;
    private static ChatTemplate template;

    /** The tiny model's tokenizer (read once). */
    public static synchronized Tokenizer tokenizer() {
        readVocabulary();
        return tokenizer;
    }

    /** The tiny model's chat template (read once). */
    public static synchronized ChatTemplate template() {
        readVocabulary();
        return template;
    }

    /** Sets what the scripted device writes: {@code text} as the tiny model's tokens. */
    public static void script(String text) {
        ScriptedBackendProvider.script = tokenizer().encode(text, false, false);
    }

    private static void readVocabulary() {
        if (tokenizer == null) {
            try (GgufModel m = GgufModel.open(tiny())) {
                tokenizer = Tokenizer.fromGguf(m.metadata());
                template = ChatTemplate.fromGguf(m.metadata());
            }
        }
    }
}
