package org.dsv3.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Splits text into the pieces that byte-pair encoding then works on, by the rules named in
 * {@code tokenizer.ggml.pre}: a sequence of regexes, each applied to every fragment the previous
 * ones left ("Isolated": matched and unmatched pieces are both kept, in order).
 *
 * <p>Supported names and their regexes (docs/architecture.md §7.2; the lists llama.cpp uses for these
 * names):
 * <ul>
 *   <li>{@code deepseek-v3} (DeepSeek-V3, R1, V3.1) and {@code joyai-llm} (the name llama.cpp's
 *       converter writes for the same tokenizer hash): {@code \p{N}{1,3}}, {@code [一-龥぀-ゟ゠-ヿ]+},
 *       then the word regex of {@link SplitRule#deepSeekV3Words()};</li>
 *   <li>{@code deepseek-llm} (DeepSeek LLM, V2, V2-Lite): {@code [\r\n]}, {@code \s?[cased letters]+},
 *       {@code \s?[!-/:-~！-／：-～‘-‟　-。]+}, {@code \s+$}, {@code [一-龥ࠀ-一가-퟿]+}, {@code \p{N}+};</li>
 *   <li>{@code deepseek-coder}: {@code [\r\n]}, {@code \s?\p{L}+}, {@code \s?\p{P}+},
 *       {@code [一-龥ࠀ-一가-퟿]+}, {@code \p{N}}.</li>
 * </ul>
 * Any other name is refused: a guessed pre-tokenizer silently changes the token ids.
 */
public final class PreTokenizer {
    /** Receives the pieces, as ranges of the code point array given to {@link #split(int[], int, int, Sink)}. */
    interface Sink {
        void piece(int[] cp, int start, int end);
    }

    private final String name;
    private final SplitRule[] rules;

    private PreTokenizer(String name, SplitRule... rules) {
        this.name = name;
        this.rules = rules;
    }

    /** CJK ideographs U+4E00–U+9FA5, hiragana U+3040–U+309F, katakana U+30A0–U+30FF. */
    private static final int[] V3_CJK = {0x4E00, 0x9FA5, 0x3040, 0x309F, 0x30A0, 0x30FF};

    /** U+4E00–U+9FA5, U+0800–U+4E00, U+AC00–U+D7FF (as written in the deepseek-llm/coder regex). */
    private static final int[] LLM_CJK = {0x4E00, 0x9FA5, 0x0800, 0x4E00, 0xAC00, 0xD7FF};

    /** {@code [!-/:-~！-／：-～‘-‟　-。]}. */
    private static final int[] LLM_PUNCT = {0x21, 0x2F, 0x3A, 0x7E, 0xFF01, 0xFF0F, 0xFF1A, 0xFF5E, 0x2018, 0x201F,
            0x3000, 0x3002};

    /**
     * The explicit letter class of the deepseek-llm regex (the cased letters Lu/Ll/Lt of Latin, Greek,
     * Cyrillic, Armenian, Georgian, Cherokee, Glagolitic, Coptic, Deseret, Osage, Old Hungarian,
     * Warang Citi, Adlam and the letterlike symbols, as the tokenizer's authors listed them).
     */
    private static final int[] LLM_LETTERS = {
            0x41, 0x5A, 0x61, 0x7A, 0xB5, 0xB5, 0xC0, 0xD6, 0xD8, 0xF6, 0xF8, 0x1BA, 0x1BC, 0x1BF, 0x1C4, 0x293,
            0x295, 0x2AF, 0x370, 0x373, 0x376, 0x377, 0x37B, 0x37D, 0x37F, 0x37F, 0x386, 0x386, 0x388, 0x38A,
            0x38C, 0x38C, 0x38E, 0x3A1, 0x3A3, 0x3F5, 0x3F7, 0x481, 0x48A, 0x52F, 0x531, 0x556, 0x10A0, 0x10C5,
            0x13A0, 0x13F5, 0x13F8, 0x13FD, 0x1C90, 0x1CBA, 0x1CBD, 0x1CBF, 0x1D00, 0x1D2B, 0x1D6B, 0x1D77,
            0x1D79, 0x1D9A, 0x1E00, 0x1F15, 0x1F18, 0x1F1D, 0x1F20, 0x1F45, 0x1F48, 0x1F4D, 0x1F50, 0x1F57,
            0x1F59, 0x1F59, 0x1F5B, 0x1F5B, 0x1F5D, 0x1F5D, 0x1F5F, 0x1F7D, 0x1F80, 0x1FB4, 0x1FB6, 0x1FBC,
            0x1FBE, 0x1FBE, 0x1FC2, 0x1FC4, 0x1FC6, 0x1FCC, 0x1FD0, 0x1FD3, 0x1FD6, 0x1FDB, 0x1FE0, 0x1FEC,
            0x1FF2, 0x1FF4, 0x1FF6, 0x1FFC, 0x2102, 0x2102, 0x2107, 0x2107, 0x210A, 0x2113, 0x2115, 0x2115,
            0x2119, 0x211D, 0x2124, 0x2124, 0x2126, 0x2126, 0x2128, 0x2128, 0x212A, 0x212D, 0x212F, 0x2134,
            0x2139, 0x2139, 0x213C, 0x213F, 0x2145, 0x2149, 0x214E, 0x214E, 0x2183, 0x2184, 0x2C00, 0x2C7B,
            0x2C7E, 0x2CE4, 0x2CEB, 0x2CEE, 0x2CF2, 0x2CF3, 0xA640, 0xA66D, 0xA680, 0xA69B, 0xA722, 0xA76F,
            0xA771, 0xA787, 0xA78B, 0xA78E, 0xAB70, 0xABBF, 0xFB00, 0xFB06, 0xFB13, 0xFB17, 0xFF21, 0xFF3A,
            0xFF41, 0xFF5A, 0x10400, 0x1044F, 0x104B0, 0x104D3, 0x104D8, 0x104FB, 0x10C80, 0x10CB2, 0x10CC0,
            0x10CF2, 0x118A0, 0x118DF, 0x1E900, 0x1E943,
    };

    private static PreTokenizer deepSeekV3(String name) {
        return new PreTokenizer(name,
                SplitRule.run("\\p{N}{1,3}", SplitRule.flags(CharClass.NUMBER), 3),
                SplitRule.run(SplitRule.rangesRegex(V3_CJK) + "+", SplitRule.ranges(V3_CJK), Integer.MAX_VALUE),
                SplitRule.deepSeekV3Words());
    }

    private static PreTokenizer deepSeekLlm() {
        return new PreTokenizer("deepseek-llm",
                SplitRule.run("[\\r\\n]", SplitRule.NEWLINE, 1),
                SplitRule.optThenRun("\\s?" + SplitRule.rangesRegex(LLM_LETTERS) + "+",
                        CharClass::isSpace, SplitRule.ranges(LLM_LETTERS)),
                SplitRule.optThenRun("\\s?" + SplitRule.rangesRegex(LLM_PUNCT) + "+",
                        CharClass::isSpace, SplitRule.ranges(LLM_PUNCT)),
                SplitRule.trailingSpace(),
                SplitRule.run(SplitRule.rangesRegex(LLM_CJK) + "+", SplitRule.ranges(LLM_CJK), Integer.MAX_VALUE),
                SplitRule.run("\\p{N}+", SplitRule.flags(CharClass.NUMBER), Integer.MAX_VALUE));
    }

    private static PreTokenizer deepSeekCoder() {
        return new PreTokenizer("deepseek-coder",
                SplitRule.run("[\\r\\n]", SplitRule.NEWLINE, 1),
                SplitRule.optThenRun("\\s?\\p{L}+", CharClass::isSpace, SplitRule.flags(CharClass.LETTER)),
                SplitRule.optThenRun("\\s?\\p{P}+", CharClass::isSpace, SplitRule.flags(CharClass.PUNCT)),
                SplitRule.run(SplitRule.rangesRegex(LLM_CJK) + "+", SplitRule.ranges(LLM_CJK), Integer.MAX_VALUE),
                SplitRule.run("\\p{N}", SplitRule.flags(CharClass.NUMBER), 1));
    }

    private static final Map<String, java.util.function.Supplier<PreTokenizer>> KNOWN = Map.of(
            "deepseek-v3", () -> deepSeekV3("deepseek-v3"),
            "joyai-llm", () -> deepSeekV3("joyai-llm"),
            "deepseek-llm", PreTokenizer::deepSeekLlm,
            "deepseek-coder", PreTokenizer::deepSeekCoder);

    /** The names {@link #forName} accepts. */
    public static List<String> supportedNames() {
        return List.copyOf(new TreeSet<>(KNOWN.keySet()));
    }

    /**
     * The pre-tokenizer of that {@code tokenizer.ggml.pre} value.
     *
     * @throws UnsupportedTokenizerException for any name not in {@link #supportedNames()}
     */
    public static PreTokenizer forName(String name) {
        var make = KNOWN.get(name);
        if (make == null) {
            throw new UnsupportedTokenizerException("tokenizer.ggml.pre = '" + name + "' is not a supported pre-tokenizer"
                    + " (supported: " + String.join(", ", supportedNames()) + "); refusing to guess one,"
                    + " since a wrong pre-tokenizer silently changes the token ids");
        }
        return make.get();
    }

    public String name() {
        return name;
    }

    /** The regexes, in the order they are applied (java.util.regex syntax, UNICODE_CHARACTER_CLASS). */
    public List<String> regexes() {
        List<String> r = new ArrayList<>();
        for (SplitRule rule : rules) {
            r.add(rule.regex());
        }
        return r;
    }

    /** The pieces of {@code text}, in order; they concatenate back to {@code text}. */
    public List<String> split(String text) {
        int[] cp = text.codePoints().toArray();
        List<String> out = new ArrayList<>();
        split(cp, 0, cp.length, (c, s, e) -> out.add(new String(c, s, e - s)));
        return out;
    }

    void split(int[] cp, int start, int end, Sink sink) {
        apply(0, cp, start, end, sink);
    }

    /** Applies rule {@code k} to one fragment and hands each resulting piece to the next rule. */
    private void apply(int k, int[] cp, int start, int end, Sink sink) {
        if (start >= end) {
            return;
        }
        if (k == rules.length) {
            sink.piece(cp, start, end);
            return;
        }
        SplitRule rule = rules[k];
        int pos = start;
        while (pos < end) {
            long m = rule.find(cp, pos, end);
            if (m < 0) {
                break;
            }
            int ms = (int) (m >>> 32);
            int me = (int) m;
            apply(k + 1, cp, pos, ms, sink);
            apply(k + 1, cp, ms, me, sink);
            pos = me;
        }
        apply(k + 1, cp, pos, end, sink);
    }
}
