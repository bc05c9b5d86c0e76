package org.dsv3.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the tokenizer tests find their files: {@code <dsv3.testdata>/tokenizer} when the system
 * property is set (the full ../shared/testdata), else the in-repo subset {@code testdata/tokenizer}
 * at the repository root. A file missing from the subset skips the test with a message saying so.
 */
public final class TokenizerTestData {
    public static final String V3_VOCAB = "deepseek-v3-vocab.gguf";
    public static final String LLM_VOCAB = "ggml-vocab-deepseek-llm.gguf";
    public static final String CODER_VOCAB = "ggml-vocab-deepseek-coder.gguf";

    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final Map<String, GgufMetadata> METADATA = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerTestData() {
    }

    public static Path dir() {
        String prop = System.getProperty("dsv3.testdata", "");
        if (!prop.isBlank()) {
            return Path.of(prop).resolve("tokenizer");
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path candidate = p.resolve("testdata").resolve("tokenizer");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            p = p.getParent();
        }
        return Path.of("testdata", "tokenizer");
    }

    /** The file, or the test is skipped (visibly) when this data set does not have it. */
    public static Path require(String name) {
        Path f = dir().resolve(name);
        assumeTrue(Files.isRegularFile(f), () -> "skipped: " + f + " is not here; it is part of the full test data only"
                + " (run with -Ddsv3.testdata=/path/to/shared/testdata)");
        return f;
    }

    /** The tokenizer of a vocabulary file, loaded once per test run. */
    public static Tokenizer tokenizer(String vocabFile) {
        GgufMetadata md = metadata(vocabFile);
        return TOKENIZERS.computeIfAbsent(vocabFile, k -> Tokenizer.fromGguf(md));
    }

    /** The metadata of a vocabulary file, read once per test run. */
    public static GgufMetadata metadata(String vocabFile) {
        Path f = require(vocabFile);
        return METADATA.computeIfAbsent(vocabFile, k -> {
            try (GgufModel m = GgufModel.open(f)) {
                return m.metadata();
            }
        });
    }

    public static JsonNode json(String name) {
        try {
            return JSON.readTree(require(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] r = new int[array.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = array.get(i).asInt();
        }
        return r;
    }
}
