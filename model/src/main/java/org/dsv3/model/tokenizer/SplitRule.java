package org.dsv3.model.tokenizer;

import java.util.BitSet;

/**
 * One step of a pre-tokenizer: a regular expression whose matches are cut out of every current
 * fragment, the matched and the unmatched pieces both kept ("Isolated" in Hugging Face terms).
 *
 * <p>Each rule is a hand-written scanner equivalent to its regex ({@link #regex()}, in
 * java.util.regex syntax with {@code UNICODE_CHARACTER_CLASS}), with the usual backtracking
 * semantics: leftmost match, alternatives tried in order, greedy quantifiers. The scanners run in
 * time linear in the fragment length on any input, where a backtracking engine can go quadratic
 * (e.g. {@code \s+$} on a long run of spaces followed by a digit). The tests check each scanner
 * against java.util.regex on the conformance texts and on random strings.
 *
 * <p>Fragments are ranges {@code [from, end)} of a code point array; a fragment boundary is a text
 * boundary for the regex (anchors and look-ahead see the fragment's end), as in HF's
 * {@code Split} pre-tokenizer and llama.cpp's regex splitter.
 */
abstract class SplitRule {
    private final String regex;

    SplitRule(String regex) {
        this.regex = regex;
    }

    /** The regex this rule implements (java.util.regex syntax, to be compiled with UNICODE_CHARACTER_CLASS). */
    final String regex() {
        return regex;
    }

    /** End of the match that begins at {@code p}, or -1 if no match begins there. */
    abstract int matchAt(int[] cp, int p, int end);

    /** The leftmost match in {@code [from, end)} as {@code (start << 32) | end}, or -1 when there is none. */
    long find(int[] cp, int from, int end) {
        for (int p = from; p < end; p++) {
            int e = matchAt(cp, p, end);
            if (e >= 0) {
                return pack(p, e);
            }
        }
        return -1;
    }

    static long pack(int start, int end) {
        return ((long) start << 32) | end;
    }

    /** A set of code points. */
    interface CpSet {
        boolean contains(int cp);
    }

    /** Code points having any of the {@link CharClass} flags in {@code mask}. */
    static CpSet flags(int mask) {
        return cp -> CharClass.is(cp, mask);
    }

    static final CpSet NEWLINE = cp -> cp == '\r' || cp == '\n';

    /** A union of inclusive code point ranges {@code lo0, hi0, lo1, hi1, ...}. */
    static CpSet ranges(int... bounds) {
        int max = 0;
        for (int i = 1; i < bounds.length; i += 2) {
            max = Math.max(max, bounds[i]);
        }
        BitSet bits = new BitSet(max + 1);
        for (int i = 0; i < bounds.length; i += 2) {
            bits.set(bounds[i], bounds[i + 1] + 1);
        }
        int limit = max;
        return cp -> cp <= limit && bits.get(cp);
    }

    /** The same ranges as a java.util.regex character class. */
    static String rangesRegex(int... bounds) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < bounds.length; i += 2) {
            sb.append(String.format("\\x{%X}", bounds[i]));
            if (bounds[i + 1] != bounds[i]) {
                sb.append(String.format("-\\x{%X}", bounds[i + 1]));
            }
        }
        return sb.append(']').toString();
    }

    static int runEnd(int[] cp, int p, int end, CpSet set) {
        while (p < end && set.contains(cp[p])) {
            p++;
        }
        return p;
    }

    /** {@code X+}, {@code X{1,max}}: a run of code points of one set. */
    static SplitRule run(String regex, CpSet set, int max) {
        return new SplitRule(regex) {
            @Override
            int matchAt(int[] cp, int p, int end) {
                if (!set.contains(cp[p])) {
                    return -1;
                }
                return runEnd(cp, p + 1, max >= end - p ? end : p + max, set);
            }
        };
    }

    /** {@code X?Y+} with a greedy optional {@code X}. */
    static SplitRule optThenRun(String regex, CpSet opt, CpSet run) {
        return new SplitRule(regex) {
            @Override
            int matchAt(int[] cp, int p, int end) {
                if (opt.contains(cp[p]) && p + 1 < end && run.contains(cp[p + 1])) {
                    return runEnd(cp, p + 2, end, run);
                }
                if (run.contains(cp[p])) {
                    return runEnd(cp, p + 1, end, run);
                }
                return -1;
            }
        };
    }

    /** {@code \s+$}: the whitespace that ends the fragment. */
    static SplitRule trailingSpace() {
        return new SplitRule("\\s+$") {
            @Override
            int matchAt(int[] cp, int p, int end) {
                int e = runEnd(cp, p, end, CharClass::isSpace);
                return e == end && e > p ? end : -1;
            }

            @Override
            long find(int[] cp, int from, int end) {
                int t = end;
                while (t > from && CharClass.isSpace(cp[t - 1])) {
                    t--;
                }
                return t < end ? pack(t, end) : -1;
            }
        };
    }

    private static boolean isAsciiPunct(int c) {
        return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
    }

    private static boolean isAsciiLetter(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /**
     * The third DeepSeek-V3 regex:
     * {@code [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
     */
    static SplitRule deepSeekV3Words() {
        String re = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                + "| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        CpSet letterOrMark = flags(CharClass.LETTER | CharClass.MARK);
        CpSet punctOrSymbol = flags(CharClass.PUNCT | CharClass.SYMBOL);
        return new SplitRule(re) {
            @Override
            int matchAt(int[] cp, int p, int end) {
                int c = cp[p];
                // [ASCII punctuation][A-Za-z]+
                if (isAsciiPunct(c) && p + 1 < end && isAsciiLetter(cp[p + 1])) {
                    int q = p + 2;
                    while (q < end && isAsciiLetter(cp[q])) {
                        q++;
                    }
                    return q;
                }
                int f = CharClass.flags(c);
                // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
                if (c != '\r' && c != '\n' && (f & (CharClass.LETTER | CharClass.PUNCT | CharClass.SYMBOL)) == 0
                        && p + 1 < end && letterOrMark.contains(cp[p + 1])) {
                    return runEnd(cp, p + 2, end, letterOrMark);
                }
                if ((f & (CharClass.LETTER | CharClass.MARK)) != 0) {
                    return runEnd(cp, p + 1, end, letterOrMark);
                }
                //  ?[\p{P}\p{S}]+[\r\n]*
                int q = -1;
                if (c == ' ' && p + 1 < end && punctOrSymbol.contains(cp[p + 1])) {
                    q = runEnd(cp, p + 2, end, punctOrSymbol);
                } else if ((f & (CharClass.PUNCT | CharClass.SYMBOL)) != 0) {
                    q = runEnd(cp, p + 1, end, punctOrSymbol);
                }
                if (q >= 0) {
                    return runEnd(cp, q, end, NEWLINE);
                }
                if ((f & CharClass.SPACE) == 0) {
                    return -1;
                }
                // \s*[\r\n]+ : the whitespace run up to and including its last newline
                int lastNewline = NEWLINE.contains(c) ? p : -1;
                q = p + 1;
                while (q < end && CharClass.isSpace(cp[q])) {
                    if (NEWLINE.contains(cp[q])) {
                        lastNewline = q;
                    }
                    q++;
                }
                if (lastNewline >= 0) {
                    return lastNewline + 1;
                }
                // \s+(?!\S) : the run, less its last character when a non-space follows
                if (q == end || q - p >= 2) {
                    return q == end ? q : q - 1;
                }
                // \s+
                return q;
            }
        };
    }
}
