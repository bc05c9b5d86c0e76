package org.dsv3.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written scanners against java.util.regex running the very regexes they implement. */
class PreTokenizerTest {

    /** The reference: each regex applied with java.util.regex to every fragment, Isolated semantics. */
    private static final java.util.Map<String, Pattern> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    static List<String> regexSplit(List<String> regexes, String text) {
        List<String> fragments = new ArrayList<>();
        if (!text.isEmpty()) {
            fragments.add(text);
        }
        for (String re : regexes) {
            Pattern p = COMPILED.computeIfAbsent(re, r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS));
            List<String> next = new ArrayList<>();
            for (String f : fragments) {
                Matcher m = p.matcher(f);
                int pos = 0;
                while (m.find()) {
                    if (m.start() > pos) {
                        next.add(f.substring(pos, m.start()));
                    }
                    next.add(m.group());
                    pos = m.end();
                }
                if (pos < f.length()) {
                    next.add(f.substring(pos));
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private static void assertSameSplit(PreTokenizer pre, String text) {
        List<String> expected = regexSplit(pre.regexes(), text);
        List<String> got = pre.split(text);
        assertEquals(expected, got, () -> pre.name() + " on " + TokenizerConformanceTest.escape(text));
        assertEquals(text, String.join("", got));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepseek-v3", "deepseek-llm", "deepseek-coder"})
    void scannersMatchRegexesOnRandomStrings(String name) {
        PreTokenizer pre = PreTokenizer.forName(name);
        RandomText rnd = new RandomText(name.hashCode());
        for (int i = 0; i < 20_000; i++) {
            assertSameSplit(pre, rnd.next(i % 50));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepseek-v3", "deepseek-llm", "deepseek-coder"})
    void scannersMatchRegexesOnConformanceTexts(String name) {
        PreTokenizer pre = PreTokenizer.forName(name);
        for (String file : List.of("tokenizer-cases.json", "deepseek-llm-tokenizer-cases.json",
                "deepseek-coder-tokenizer-cases.json")) {
            java.nio.file.Path f = TokenizerTestData.dir().resolve(file);
            if (!java.nio.file.Files.exists(f)) {
                continue;
            }
            for (JsonNode c : TokenizerTestData.json(file)) {
                assertSameSplit(pre, c.get("text").asText());
            }
        }
    }

    @Test
    void v3SplitsAsDocumented() {
        PreTokenizer pre = PreTokenizer.forName("deepseek-v3");
        assertEquals(List.of("Hello", " world"), pre.split("Hello world"));
        assertEquals(List.of("123", "456", "7"), pre.split("1234567"));
        assertEquals(List.of("深度求索发布了新的模型", "。"), pre.split("深度求索发布了新的模型。"));
        assertEquals(List.of("Mixed", "深度", "V", "3"), pre.split("Mixed深度V3"));
        assertEquals(List.of("a", "  ", " b"), pre.split("a   b"));
        assertEquals(List.of("x", "\r\n"), pre.split("x\r\n"));
        assertEquals(List.of("'s"), pre.split("'s"));
    }

    @Test
    void unknownNamesAreRefused() {
        var e = assertThrows(UnsupportedTokenizerException.class, () -> PreTokenizer.forName("deepseek-v3.1"));
        assertTrue(e.getMessage().contains("deepseek-v3.1"), e.getMessage());
        assertTrue(e.getMessage().contains("deepseek-v3"), e.getMessage());
        assertThrows(UnsupportedTokenizerException.class, () -> PreTokenizer.forName("llama-bpe"));
        assertThrows(UnsupportedTokenizerException.class, () -> PreTokenizer.forName(""));
    }

    @Test
    void charClassesAgreeWithJavaRegex() {
        Pattern[] patterns = {Pattern.compile("\\p{L}"), Pattern.compile("\\p{M}"), Pattern.compile("\\p{N}"),
                Pattern.compile("\\p{P}"), Pattern.compile("\\p{S}"), Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS)};
        int[] masks = {CharClass.LETTER, CharClass.MARK, CharClass.NUMBER, CharClass.PUNCT, CharClass.SYMBOL, CharClass.SPACE};
        for (int c = 0; c < 0x110000; c += (c < 0x30000 ? 1 : 97)) {
            String s = Character.toString(c);
            for (int k = 0; k < masks.length; k++) {
                boolean expected = patterns[k].matcher(s).matches();
                assertEquals(expected, CharClass.is(c, masks[k]), String.format("U+%04X class %d", c, k));
            }
        }
    }
}
