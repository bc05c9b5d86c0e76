package org.dsv3.model.tokenizer;

import java.util.Arrays;

/**
 * The GPT-2 byte-level alphabet: every byte value is written as one printable code point, so
 * that BPE tokens are ordinary strings. Bytes that are printable Latin-1 characters ('!'..'~',
 * '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68 bytes, in increasing order, become
 * U+0100, U+0101, ... (so a space, byte 0x20, is 'Ġ' U+0120).
 */
final class ByteLevel {
    private static final int[] BYTE_TO_CP = new int[256];
    private static final int[] CP_TO_BYTE = new int[0x200];

    static {
        Arrays.fill(CP_TO_BYTE, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int cp = printable ? b : next++;
            BYTE_TO_CP[b] = cp;
            CP_TO_BYTE[cp] = b;
        }
    }

    private ByteLevel() {
    }

    /** The code point that stands for byte {@code b} (0..255). */
    static int charOf(int b) {
        return BYTE_TO_CP[b & 0xFF];
    }

    /** The byte a code point stands for, or -1 if it is not part of the alphabet. */
    static int byteOf(int cp) {
        return cp >= 0 && cp < CP_TO_BYTE.length ? CP_TO_BYTE[cp] : -1;
    }

    /**
     * The bytes a byte-level token text stands for. A code point outside the alphabet (which a
     * byte-level vocabulary should not hold) is kept as its own UTF-8 encoding.
     */
    static byte[] decode(String tokenText) {
        byte[] out = new byte[tokenText.length() * 4];
        int n = 0;
        for (int i = 0; i < tokenText.length(); ) {
            int cp = tokenText.codePointAt(i);
            i += Character.charCount(cp);
            int b = byteOf(cp);
            if (b >= 0) {
                out[n++] = (byte) b;
            } else {
                n = Utf8.encode(cp, out, n);
            }
        }
        return Arrays.copyOf(out, n);
    }
}
