package org.dsv3.model.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A hang guard: megabyte inputs that drive backtracking regex engines quadratic must tokenize
 * (and round-trip). The bound is generous on purpose; it is not a performance claim (see the JMH
 * benchmark for numbers).
 */
class PathologicalInputTest {
    static final int MB = 1 << 20;

    /** Inputs of about {@code size} UTF-16 units. */
    static List<Arguments> inputs(int size) {
        List<Arguments> in = new ArrayList<>();
        in.add(Arguments.of("spaces", " ".repeat(size)));
        in.add(Arguments.of("spaces then a digit", " ".repeat(size - 1) + "7"));
        in.add(Arguments.of("spaces then a letter", " ".repeat(size - 1) + "x"));
        in.add(Arguments.of("tabs and newlines", " \t\n".repeat(size / 3)));
        in.add(Arguments.of("one letter", "a".repeat(size)));
        in.add(Arguments.of("digits", "7".repeat(size)));
        in.add(Arguments.of("emoji", "😀".repeat(size / 2)));
        in.add(Arguments.of("punctuation", "!?".repeat(size / 2)));
        in.add(Arguments.of("combining marks", "\u0301".repeat(size)));
        in.add(Arguments.of("CJK", "深".repeat(size)));
        StringBuilder words = new StringBuilder(size + 64);
        String[] w = {"The", " quick", " brown", " fox", ",", " 1234", " jumps", " 深度求索", " über", "  ", " lazy", " dog."};
        for (int i = 0; words.length() < size; i++) {
            words.append(w[i % w.length]);
        }
        in.add(Arguments.of("a megabyte without a newline", words.toString()));
        return in;
    }

    /** Every input on the V3 tokenizer; on the older two, the inputs aimed at their own regexes. */
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        java.util.Set<String> older = java.util.Set.of("spaces", "spaces then a digit", "tabs and newlines", "one letter",
                "punctuation", "a megabyte without a newline");
        for (String vocab : List.of(TokenizerTestData.V3_VOCAB, TokenizerTestData.CODER_VOCAB, TokenizerTestData.LLM_VOCAB)) {
            for (Arguments a : inputs(MB)) {
                if (vocab.equals(TokenizerTestData.V3_VOCAB) || older.contains((String) a.get()[0])) {
                    all.add(Arguments.of(vocab, a.get()[0], a.get()[1]));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void megabyteInputsFinish(String vocab, String what, String text) {
        Tokenizer t = TokenizerTestData.tokenizer(vocab);
        String back = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> t.decode(t.encode(text, true, false)));
        assertEquals(text.length(), back.length());
        assertEquals(text, back);
    }
}
