package org.dsv3.model.tokenizer;

/**
 * Unicode character classes used by the pre-tokenizer scanners, on code points. The general
 * categories follow {@link Character#getType(int)} (the same tables java.util.regex uses for
 * {@code \p{L}} etc.); whitespace is the Unicode White_Space property, which is what {@code \s}
 * means under {@code Pattern.UNICODE_CHARACTER_CLASS} (and in Oniguruma / Rust regex).
 */
final class CharClass {
    static final int LETTER = 1;      // \p{L}
    static final int MARK = 1 << 1;   // \p{M}
    static final int NUMBER = 1 << 2; // \p{N}
    static final int PUNCT = 1 << 3;  // \p{P}
    static final int SYMBOL = 1 << 4; // \p{S}
    static final int SPACE = 1 << 5;  // \s (White_Space)

    /** Flags for the Basic Multilingual Plane, computed once; other planes are looked up on demand. */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < 0x10000; c++) {
            BMP[c] = (byte) compute(c);
        }
    }

    private CharClass() {
    }

    static int flags(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    static boolean is(int cp, int mask) {
        return (flags(cp) & mask) != 0;
    }

    static boolean isSpace(int cp) {
        return cp < 0x10000 && (BMP[cp] & SPACE) != 0;
    }

    private static int compute(int cp) {
        int f = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCT;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            default -> 0;
        };
        if (isWhiteSpaceProperty(cp)) {
            f |= SPACE;
        }
        return f;
    }

    /** The Unicode White_Space property (PropList.txt): all of its code points lie in the BMP. */
    private static boolean isWhiteSpaceProperty(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
