package org.dsv3.model.tokenizer;

import org.dsv3.model.gguf.GgufMetadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The byte-level BPE tokenizer of a GGUF file ({@code tokenizer.ggml.model = "gpt2"}), as used by
 * the DeepSeek family.
 *
 * <p>Encoding: control and user-defined tokens are first cut out of the raw text (leftmost-longest;
 * user-defined tokens always, control tokens only with {@code parseSpecial}); every other stretch of
 * text is split by the {@link PreTokenizer} named in {@code tokenizer.ggml.pre}, each piece is
 * written as UTF-8 in the byte-level alphabet and merged by rank ({@link BpeMerger}). Results are
 * cached per piece.
 *
 * <p>Decoding: normal tokens map their byte-level characters back to bytes, the others contribute
 * their raw text; the bytes are read as UTF-8 (U+FFFD for malformed bytes). Use
 * {@link #streamingDecoder()} while generating.
 *
 * <p>Instances are immutable apart from the piece cache and safe to share between threads.
 */
public final class Tokenizer {
    /** Token texts that end a turn or the generation, whatever their id (when they are control/user-defined tokens). */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<｜end▁of▁sentence｜>", "<|EOT|>", "<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>",
            "<|endoftext|>", "<end_of_turn>");

    private static final int MAX_CACHED_PIECE = 64;
    private static final int MAX_CACHE_ENTRIES = 1 << 16;

    private final String[] tokens;
    private final TokenType[] types;
    private final byte[][] tokenBytes;
    private final Map<String, Integer> ids;
    private final PreTokenizer preTokenizer;
    private final BpeMerger merger;
    private final SpecialTokenMatcher specials = new SpecialTokenMatcher();
    private final int bos;
    private final int eos;
    private final int pad;
    private final boolean addBos;
    private final boolean[] endOfGeneration;
    private final int[] endOfGenerationIds;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    private Tokenizer(String[] tokens, TokenType[] types, String[] merges, PreTokenizer preTokenizer,
                      int bos, int eos, int pad, boolean addBos, int[] extraEndIds) {
        this.tokens = tokens;
        this.types = types;
        this.preTokenizer = preTokenizer;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.addBos = addBos;
        int n = tokens.length;
        ids = HashMap.newHashMap(n);
        tokenBytes = new byte[n][];
        for (int i = 0; i < n; i++) {
            ids.putIfAbsent(tokens[i], i);
            TokenType t = types[i];
            tokenBytes[i] = t.rawText() ? tokens[i].getBytes(StandardCharsets.UTF_8) : ByteLevel.decode(tokens[i]);
            if (t == TokenType.CONTROL || t == TokenType.USER_DEFINED) {
                specials.add(tokens[i], i, t == TokenType.CONTROL);
            }
        }
        int[] byteToken = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(Character.toString(ByteLevel.charOf(b)));
            byteToken[b] = id == null ? -1 : id;
        }
        merger = new BpeMerger(merges, ids, byteToken);
        endOfGeneration = new boolean[n];
        List<Integer> eog = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean special = types[i] == TokenType.CONTROL || types[i] == TokenType.USER_DEFINED;
            boolean listed = i == eos;
            for (int e : extraEndIds) {
                listed |= e == i;
            }
            if (listed || (special && END_OF_GENERATION_TEXTS.contains(tokens[i]))) {
                endOfGeneration[i] = true;
                eog.add(i);
            }
        }
        endOfGenerationIds = eog.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Reads the tokenizer of a GGUF file (a full model or a {@code --vocab-only} file).
     *
     * @throws UnsupportedTokenizerException when the file's tokenizer is not byte-level BPE with a
     *         supported pre-tokenizer, or its vocabulary keys are missing or inconsistent
     */
    public static Tokenizer fromGguf(GgufMetadata md) {
        String where = md.source() == null ? "" : md.source() + ": ";
        String model = md.optString("tokenizer.ggml.model").orElse(null);
        if (model == null) {
            throw new UnsupportedTokenizerException(where + "no tokenizer (tokenizer.ggml.model is missing)");
        }
        if (!model.equals("gpt2")) {
            throw new UnsupportedTokenizerException(where + "tokenizer.ggml.model = '" + model
                    + "' is not supported (only byte-level BPE, 'gpt2', as used by the DeepSeek family)");
        }
        String pre = md.optString("tokenizer.ggml.pre").orElseThrow(() -> new UnsupportedTokenizerException(where
                + "tokenizer.ggml.pre is missing; refusing to guess a pre-tokenizer (supported: "
                + String.join(", ", PreTokenizer.supportedNames()) + ")"));
        PreTokenizer preTokenizer;
        try {
            preTokenizer = PreTokenizer.forName(pre);
        } catch (UnsupportedTokenizerException e) {
            throw new UnsupportedTokenizerException(where + e.getMessage());
        }
        String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
        TokenType[] types = new TokenType[tokens.length];
        if (md.contains("tokenizer.ggml.token_type")) {
            long[] codes = md.getIntArray("tokenizer.ggml.token_type");
            if (codes.length != tokens.length) {
                throw new UnsupportedTokenizerException(where + "tokenizer.ggml.token_type has " + codes.length
                        + " entries but tokenizer.ggml.tokens has " + tokens.length);
            }
            for (int i = 0; i < codes.length; i++) {
                types[i] = TokenType.ofCode(codes[i]);
            }
        } else {
            Arrays.fill(types, TokenType.NORMAL);
        }
        String[] merges = md.contains("tokenizer.ggml.merges") ? md.getStringArray("tokenizer.ggml.merges") : new String[0];
        int bos = tokenId(md, "tokenizer.ggml.bos_token_id", tokens.length);
        int eos = tokenId(md, "tokenizer.ggml.eos_token_id", tokens.length);
        int pad = tokenId(md, "tokenizer.ggml.padding_token_id", tokens.length);
        int eot = tokenId(md, "tokenizer.ggml.eot_token_id", tokens.length);
        int eom = tokenId(md, "tokenizer.ggml.eom_token_id", tokens.length);
        boolean addBos = md.optBool("tokenizer.ggml.add_bos_token", false);
        if (addBos && bos < 0) {
            throw new UnsupportedTokenizerException(where + "tokenizer.ggml.add_bos_token is true but there is no valid tokenizer.ggml.bos_token_id");
        }
        List<Integer> extra = new ArrayList<>();
        if (eot >= 0) {
            extra.add(eot);
        }
        if (eom >= 0) {
            extra.add(eom);
        }
        return new Tokenizer(tokens, types, merges, preTokenizer, bos, eos, pad, addBos,
                extra.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A token id key, or -1 when it is absent or not a valid id. */
    private static int tokenId(GgufMetadata md, String key, int vocab) {
        if (!md.contains(key)) {
            return -1;
        }
        long v = md.getLong(key);
        return v >= 0 && v < vocab ? (int) v : -1;
    }

    /**
     * Token ids of {@code text}.
     *
     * @param parseSpecial match control tokens written in the text (chat prompts); user-defined
     *                     tokens are matched either way
     * @param addBos       put the BOS token first
     */
    public int[] encode(String text, boolean parseSpecial, boolean addBos) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addBos) {
            if (bos < 0) {
                throw new IllegalStateException("this vocabulary has no BOS token");
            }
            out.add(bos);
        }
        int[] len = new int[1];
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            long m = specials.find(text, pos, n, parseSpecial, len);
            int stop = m < 0 ? n : (int) (m >>> 32);
            encodeOrdinary(text, pos, stop, out);
            if (m < 0) {
                break;
            }
            out.add((int) m);
            pos = stop + len[0];
        }
        return out.toArray();
    }

    /** Pre-tokenizes and merges text that holds no special token. */
    private void encodeOrdinary(String text, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        int[] cp = codePoints(text, from, to);
        preTokenizer.split(cp, 0, cp.length, (c, s, e) -> encodePiece(c, s, e, out));
    }

    private static int[] codePoints(String text, int from, int to) {
        int[] cp = new int[to - from];
        int n = 0;
        for (int i = from; i < to; ) {
            int c = text.codePointAt(i);
            if (Character.isSupplementaryCodePoint(c) && i + 1 >= to) {
                c = text.charAt(i); // a pair cut by the range end: keep the lone unit
            }
            cp[n++] = c;
            i += Character.charCount(c);
        }
        return n == cp.length ? cp : Arrays.copyOf(cp, n);
    }

    private void encodePiece(int[] cp, int s, int e, IntList out) {
        String key = null;
        if (e - s <= MAX_CACHED_PIECE) {
            key = new String(cp, s, e - s);
            int[] hit = cache.get(key);
            if (hit != null) {
                out.addAll(hit);
                return;
            }
        }
        byte[] buf = new byte[(e - s) * 4];
        int n = 0;
        for (int i = s; i < e; i++) {
            n = Utf8.encode(cp[i], buf, n);
        }
        int[] pieceIds = merger.encode(buf, n);
        if (key != null) {
            if (cache.size() >= MAX_CACHE_ENTRIES) {
                cache.clear();
            }
            cache.put(key, pieceIds);
        }
        out.addAll(pieceIds);
    }

    /** The text of {@code ids}; malformed UTF-8 (e.g. a sequence cut in half) becomes U+FFFD. */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The bytes of {@code ids}, concatenated. */
    public byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(tokenBytes(id));
        }
        return out.toByteArray();
    }

    /** The bytes one token stands for (a copy is not made: do not modify). */
    byte[] tokenBytes(int id) {
        checkId(id);
        return tokenBytes[id];
    }

    /** The bytes one token stands for. */
    public byte[] tokenPiece(int id) {
        return tokenBytes(id).clone();
    }

    /** A decoder for a stream of generated tokens. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this);
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is out of range [0, " + tokens.length + ")");
        }
    }

    /** The token's text as stored in the vocabulary (byte-level characters for normal tokens). */
    public String tokenText(int id) {
        checkId(id);
        return tokens[id];
    }

    public TokenType tokenType(int id) {
        checkId(id);
        return types[id];
    }

    /** The id of the token whose vocabulary text is exactly {@code text}, or -1. */
    public int tokenId(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    public int vocabSize() {
        return tokens.length;
    }

    /** {@code tokenizer.ggml.bos_token_id}, or -1. */
    public int bosId() {
        return bos;
    }

    /** {@code tokenizer.ggml.eos_token_id}, or -1. */
    public int eosId() {
        return eos;
    }

    /** {@code tokenizer.ggml.padding_token_id}, or -1. */
    public int padId() {
        return pad;
    }

    /** {@code tokenizer.ggml.add_bos_token}: whether a prompt should start with BOS. */
    public boolean addBosToken() {
        return addBos;
    }

    /** The text of the BOS token, or "" when there is none. */
    public String bosText() {
        return bos < 0 ? "" : tokens[bos];
    }

    /** The text of the EOS token, or "" when there is none. */
    public String eosText() {
        return eos < 0 ? "" : tokens[eos];
    }

    /**
     * Whether generation stops at this token: EOS, the file's EOT/EOM ids, and control or
     * user-defined tokens such as {@code <|EOT|>}, {@code <|im_end|>}, {@code <｜end▁of▁sentence｜>}.
     */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < endOfGeneration.length && endOfGeneration[id];
    }

    /** All ids for which {@link #isEndOfGeneration} holds. */
    public int[] endOfGenerationIds() {
        return endOfGenerationIds.clone();
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** Empties the per-piece cache (for benchmarks, or to free its memory). */
    public void clearCache() {
        cache.clear();
    }
}
