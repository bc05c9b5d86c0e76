package org.dsv3.model.tokenizer;

/** UTF-8 helpers on code points. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Writes the UTF-8 encoding of {@code cp} at {@code out[n]} (room for 4 bytes needed) and
     * returns the new length. A lone surrogate, which has no UTF-8 form, is written as U+FFFD.
     */
    static int encode(int cp, byte[] out, int n) {
        if (cp < 0x80) {
            out[n++] = (byte) cp;
        } else if (cp < 0x800) {
            out[n++] = (byte) (0xC0 | (cp >> 6));
            out[n++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            out[n++] = (byte) (0xE0 | (cp >> 12));
            out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            out[n++] = (byte) (0xF0 | (cp >> 18));
            out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (byte) (0x80 | (cp & 0x3F));
        }
        return n;
    }

    /**
     * The length of the longest prefix of {@code b[0, len)} after which no UTF-8 sequence is left
     * unfinished: a trailing lead byte with some (valid) continuation bytes but not all of them is
     * excluded, so that a streaming decoder can wait for the rest. Anything that can no longer
     * become valid is included (and will decode to U+FFFD).
     */
    static int completePrefix(byte[] b, int len) {
        for (int back = 1; back <= 3 && back <= len; back++) {
            int s = len - back;
            int lead = b[s] & 0xFF;
            if (lead < 0x80) {
                return len;
            }
            if (lead < 0xC0) {
                continue; // a continuation byte: look further back for its lead
            }
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (lead < 0xC2 || lead > 0xF4 || back >= need) {
                return len;
            }
            // the bytes after the lead must be a valid start of that sequence
            for (int i = s + 1; i < len; i++) {
                int c = b[i] & 0xFF;
                int lo = 0x80;
                int hi = 0xBF;
                if (i == s + 1) {
                    if (lead == 0xE0) {
                        lo = 0xA0;
                    } else if (lead == 0xED) {
                        hi = 0x9F;
                    } else if (lead == 0xF0) {
                        lo = 0x90;
                    } else if (lead == 0xF4) {
                        hi = 0x8F;
                    }
                }
                if (c < lo || c > hi) {
                    return len;
                }
            }
            return s;
        }
        return len;
    }
}
