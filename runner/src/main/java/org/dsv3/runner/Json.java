package org.dsv3.runner;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Small JSON text helpers for command output. */
final class Json {
    private Json() {
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * The text of a token's bytes: valid UTF-8 as text, and any byte that is not part of a
     * complete UTF-8 sequence (a token may hold part of a character) as {@code \xHH}.
     */
    static String pieceText(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xFF;
            int len = lead < 0x80 ? 1 : lead < 0xC2 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF5 ? 4 : 0;
            if (len > 0 && i + len <= b.length) {
                try {
                    sb.append(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, i, len)));
                    i += len;
                    continue;
                } catch (CharacterCodingException e) {
                    // not a valid sequence: fall through to the byte escape
                }
            }
            sb.append(String.format("\\x%02X", lead));
            i++;
        }
        return sb.toString();
    }
}
