package org.dsv3.model.tokenizer;

import org.dsv3.model.gguf.GgufArray;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufValue;
import org.dsv3.model.gguf.GgufValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {

    private static Tokenizer v3() {
        return TokenizerTestData.tokenizer(TokenizerTestData.V3_VOCAB);
    }

    private static Tokenizer coder() {
        return TokenizerTestData.tokenizer(TokenizerTestData.CODER_VOCAB);
    }

    @Test
    void v3VocabularyFacts() {
        Tokenizer t = v3();
        assertEquals(129_280, t.vocabSize());
        assertEquals(0, t.bosId());
        assertEquals(1, t.eosId());
        assertTrue(t.addBosToken());
        assertEquals("<｜begin▁of▁sentence｜>", t.bosText());
        assertEquals("<｜end▁of▁sentence｜>", t.tokenText(1));
        assertEquals(128803, t.tokenId("<｜User｜>"));
        assertEquals(128804, t.tokenId("<｜Assistant｜>"));
        assertEquals(TokenType.CONTROL, t.tokenType(0));
        assertEquals(TokenType.UNUSED, t.tokenType(129_279));
        assertEquals("Ġworld", t.tokenText(2058));
        assertEquals(" world", new String(t.tokenPiece(2058), StandardCharsets.UTF_8));
        assertEquals("deepseek-v3", t.preTokenizer().regexes().size() == 3 ? "deepseek-v3" : "?");
    }

    @Test
    void bosIsAddedOnRequestOnly() {
        Tokenizer t = v3();
        assertArrayEquals(new int[]{0, 19923, 2058}, t.encode("Hello world", false, true));
        assertArrayEquals(new int[]{19923, 2058}, t.encode("Hello world", false, false));
        assertArrayEquals(new int[]{0}, t.encode("", false, true));
        assertArrayEquals(new int[0], t.encode("", true, false));
    }

    @Test
    void controlTokensNeedSpecialParsing() {
        Tokenizer t = v3();
        String text = "<｜begin▁of▁sentence｜>not at the start";
        int[] special = t.encode(text, true, false);
        assertEquals(0, special[0]);
        int[] plain = t.encode(text, false, false);
        assertFalse(Arrays.stream(plain).anyMatch(id -> t.tokenType(id) == TokenType.CONTROL), Arrays.toString(plain));
        assertEquals(text, t.decode(plain));
        // <｜User｜> is a control token in this file too
        int[] user = t.encode("a<｜User｜>b", false, false);
        assertFalse(Arrays.stream(user).anyMatch(id -> id == 128803));
        assertTrue(Arrays.stream(t.encode("a<｜User｜>b", true, false)).anyMatch(id -> id == 128803));
    }

    @Test
    void userDefinedTokensAreAlwaysMatched() {
        Tokenizer t = coder();
        int eot = t.tokenId("<|EOT|>");
        assertEquals(TokenType.USER_DEFINED, t.tokenType(eot));
        assertTrue(Arrays.stream(t.encode("done<|EOT|>", false, false)).anyMatch(id -> id == eot));
        assertTrue(Arrays.stream(t.encode("done<|EOT|>", true, false)).anyMatch(id -> id == eot));
        int bos = t.bosId();
        assertFalse(Arrays.stream(t.encode("<｜begin▁of▁sentence｜>x", false, false)).anyMatch(id -> id == bos));
        assertEquals(bos, t.encode("<｜begin▁of▁sentence｜>x", true, false)[0]);
    }

    @Test
    void longestSpecialTokenWins() {
        Tokenizer t = coder();
        // "<｜fim▁begin｜>" must not be cut short by any shorter special token sharing its start
        int[] ids = t.encode("<｜fim▁begin｜>", true, false);
        assertArrayEquals(new int[]{t.tokenId("<｜fim▁begin｜>")}, ids);
    }

    @Test
    void endOfGeneration() {
        Tokenizer t = v3();
        assertTrue(t.isEndOfGeneration(1));
        assertTrue(t.isEndOfGeneration(t.tokenId("<|EOT|>")));
        assertFalse(t.isEndOfGeneration(0));
        assertFalse(t.isEndOfGeneration(2058));
        assertFalse(t.isEndOfGeneration(-1));
        Tokenizer c = coder();
        assertTrue(c.isEndOfGeneration(c.eosId()));
        assertTrue(c.isEndOfGeneration(c.tokenId("<|EOT|>")));
    }

    @ParameterizedTest
    @ValueSource(strings = {TokenizerTestData.V3_VOCAB, TokenizerTestData.CODER_VOCAB, TokenizerTestData.LLM_VOCAB})
    void decodeOfEncodeIsIdentityOnRandomText(String vocab) {
        Tokenizer t = TokenizerTestData.tokenizer(vocab);
        RandomText rnd = new RandomText(42);
        for (int i = 0; i < 3000; i++) {
            String s = rnd.next(60);
            assertEquals(s, t.decode(t.encode(s, false, false)), () -> TokenizerConformanceTest.escape(s));
            assertEquals(s, t.decode(t.encode(s, true, false)), () -> TokenizerConformanceTest.escape(s));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TokenizerTestData.V3_VOCAB, TokenizerTestData.CODER_VOCAB})
    void streamingDecodeEqualsDecodeForAnyTokens(String vocab) {
        Tokenizer t = TokenizerTestData.tokenizer(vocab);
        SplittableRandom rnd = new SplittableRandom(7);
        RandomText text = new RandomText(8);
        for (int i = 0; i < 2000; i++) {
            // half from real text (never split a character), half arbitrary ids (malformed UTF-8 galore)
            int[] ids;
            if (i % 2 == 0) {
                ids = t.encode(text.next(40), true, false);
            } else {
                ids = rnd.ints(rnd.nextInt(20), 0, t.vocabSize()).toArray();
            }
            StreamingDecoder d = t.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String piece = d.push(id);
                if (i % 2 == 0) {
                    assertFalse(piece.contains("\uFFFD"), "valid text must never show a replacement character");
                }
                sb.append(piece);
            }
            sb.append(d.flush());
            assertEquals(t.decode(ids), sb.toString(), Arrays.toString(ids));
            assertEquals(0, d.pendingBytes());
        }
    }

    @Test
    void streamingDecoderHoldsBackSplitCharacters() {
        Tokenizer t = v3();
        String emoji = "😀"; // F0 9F 98 80: byte-level tokens spread it over several ids
        int[] ids = t.encode(emoji, false, false);
        assertTrue(ids.length > 1, Arrays.toString(ids));
        StreamingDecoder d = t.streamingDecoder();
        for (int k = 0; k < ids.length - 1; k++) {
            assertEquals("", d.push(ids[k]));
        }
        assertEquals(emoji, d.push(ids[ids.length - 1]));
    }

    @Test
    void utf8CompletePrefix() {
        byte[] b = {(byte) 0xE2, (byte) 0x82};
        assertEquals(0, Utf8.completePrefix(b, 2));
        assertEquals(0, Utf8.completePrefix(b, 1));
        byte[] bad = {(byte) 0xE0, (byte) 0x80}; // can never become valid
        assertEquals(2, Utf8.completePrefix(bad, 2));
        byte[] ok = {'a', (byte) 0xF0, (byte) 0x9F, (byte) 0x98};
        assertEquals(1, Utf8.completePrefix(ok, 4));
        byte[] cont = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertEquals(4, Utf8.completePrefix(cont, 4));
    }

    @Test
    void decodeRejectsBadIds() {
        Tokenizer t = v3();
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{-1}));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[]{t.vocabSize()}));
    }

    private static GgufMetadata fakeVocab(String pre, String model) {
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.string(model));
        if (pre != null) {
            kv.put("tokenizer.ggml.pre", GgufValue.string(pre));
        }
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings("a", "b", "ab")));
        kv.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInts(GgufValueType.INT32, 1, 1, 1)));
        kv.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings("a b")));
        return new GgufMetadata(Path.of("fake.gguf"), kv);
    }

    @Test
    void unsupportedTokenizersAreRefusedWithTheReason() {
        var e = assertThrows(UnsupportedTokenizerException.class, () -> Tokenizer.fromGguf(fakeVocab("qwen2", "gpt2")));
        assertTrue(e.getMessage().contains("fake.gguf") && e.getMessage().contains("'qwen2'"), e.getMessage());
        e = assertThrows(UnsupportedTokenizerException.class, () -> Tokenizer.fromGguf(fakeVocab(null, "gpt2")));
        assertTrue(e.getMessage().contains("tokenizer.ggml.pre is missing"), e.getMessage());
        e = assertThrows(UnsupportedTokenizerException.class, () -> Tokenizer.fromGguf(fakeVocab("deepseek-v3", "llama")));
        assertTrue(e.getMessage().contains("'llama'"), e.getMessage());
        Tokenizer tiny = Tokenizer.fromGguf(fakeVocab("deepseek-v3", "gpt2"));
        assertArrayEquals(new int[]{2}, tiny.encode("ab", false, false));
        assertArrayEquals(new int[]{2, 0}, tiny.encode("aba", false, false));
    }
}
