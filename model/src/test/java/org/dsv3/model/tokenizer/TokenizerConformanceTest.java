package org.dsv3.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.dsv3.model.tokenizer.TokenizerTestData.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of the reference tokenizer files (ids from Hugging Face {@code tokenizers} with the
 * models' own tokenizer.json) must come out exactly, and decode back to the text.
 *
 * <p>The references were made without special tokens <em>added</em> but with HF's usual matching of
 * added tokens written in the text, which is what {@code parseSpecial = true} does here.
 */
class TokenizerConformanceTest {

    private static Stream<DynamicTest> cases(String vocab, String casesFile) {
        if (!java.nio.file.Files.isRegularFile(TokenizerTestData.dir().resolve(vocab))) {
            // one visible skipped test (with the reason) rather than a silently aborted factory
            return Stream.of(DynamicTest.dynamicTest(casesFile + " (needs " + vocab + ")", () -> TokenizerTestData.require(vocab)));
        }
        Tokenizer tok = TokenizerTestData.tokenizer(vocab);
        JsonNode cases = TokenizerTestData.json(casesFile);
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] expected = ints(c.get("ids"));
            String decoded = c.has("decoded") ? c.get("decoded").asText() : text;
            String name = String.format("%s #%d %s", casesFile, i++, abbreviate(text));
            tests.add(DynamicTest.dynamicTest(name, () -> {
                int[] got = tok.encode(text, true, false);
                assertArrayEquals(expected, got, () -> "text " + escape(text) + "\n expected " + Arrays.toString(expected)
                        + "\n got      " + Arrays.toString(got));
                assertEquals(decoded, tok.decode(expected), "decode of the expected ids");
                assertEquals(text, tok.decode(got), "decode(encode(text))");
            }));
        }
        return tests.stream();
    }

    static String abbreviate(String s) {
        String e = escape(s);
        return e.length() > 40 ? e.substring(0, 40) + "…" : e;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format("\\u%04X", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('"').toString();
    }

    @TestFactory
    Stream<DynamicTest> deepSeekV3() {
        return cases(TokenizerTestData.V3_VOCAB, "tokenizer-cases.json");
    }

    @TestFactory
    Stream<DynamicTest> deepSeekLlm() {
        return cases(TokenizerTestData.LLM_VOCAB, "deepseek-llm-tokenizer-cases.json");
    }

    @TestFactory
    Stream<DynamicTest> deepSeekCoder() {
        return cases(TokenizerTestData.CODER_VOCAB, "deepseek-coder-tokenizer-cases.json");
    }
}
