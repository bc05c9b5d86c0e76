package org.dsv3.model.tokenizer;

import java.util.SplittableRandom;

/** Seeded random strings that mix the character kinds the pre-tokenizer regexes care about. */
final class RandomText {
    private static final String[] POOLS = {
            "abcxyzABCXYZ", "0123456789", " ", "  \t", "\r\n", "\n", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
            "深度求索模型一龥", "ぁあゟァアヿ", "한국어가힣", "\u0301\u0308\u0915\u094D", "😀👍🏽\u200D👩\uFE0F",
            "\u00A0\u3000\u2028\u0085\u200B", "ＦＵＬＬ１２３！？～", "Καλημέραώ\u1F7D\u212A\u2126", "Привет",
            "٠١٢٣", "½²Ⅻⅳ", "©®™→∑€£¥", "‘’“”—…、。「」", "ıİßﬁ", "\u0000\u0007\u007F", "ÄÖÜøöúÿ",
    };

    private final SplittableRandom rnd;

    RandomText(long seed) {
        rnd = new SplittableRandom(seed);
    }

    /** A string of up to {@code maxLen} code points. */
    String next(int maxLen) {
        int len = rnd.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            if (rnd.nextInt(8) == 0) {
                sb.appendCodePoint(anyScalar());
            } else {
                String pool = POOLS[rnd.nextInt(POOLS.length)];
                int[] cps = pool.codePoints().toArray();
                sb.appendCodePoint(cps[rnd.nextInt(cps.length)]);
            }
        }
        return sb.toString();
    }

    /** Any Unicode scalar value (no surrogates), biased towards the BMP. */
    int anyScalar() {
        while (true) {
            int c = rnd.nextInt(4) == 0 ? rnd.nextInt(0x110000) : rnd.nextInt(0x10000);
            if (c < 0xD800 || c > 0xDFFF) {
                return c;
            }
        }
    }
}
