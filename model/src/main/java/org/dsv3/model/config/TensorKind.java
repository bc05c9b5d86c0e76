package org.dsv3.model.config;

/**
 * Every kind of tensor a {@code deepseek2} GGUF file holds, with its name as llama.cpp writes it
 * (docs/architecture.md §2). This is the only place the engine spells a tensor name: validation, both
 * backends' loaders and the synthetic writer take names from here, through {@link ModelTensors}.
 */
public enum TensorKind {
    /** Token embedding {@code [d][vocab]}. */
    TOKEN_EMBD("token_embd.weight", false),
    /** Gain of the final RMSNorm. */
    OUTPUT_NORM("output_norm.weight", false),
    /** Output head {@code [d][vocab]}. */
    OUTPUT("output.weight", false),

    /** Gain of the RMSNorm before attention. */
    ATTN_NORM("attn_norm.weight", true),
    /** q-LoRA down-projection (V2, V3, Kimi-K2). */
    ATTN_Q_A("attn_q_a.weight", true),
    ATTN_Q_A_NORM("attn_q_a_norm.weight", true),
    /** q-LoRA up-projection to every head's {@code [nope | rope]} query. */
    ATTN_Q_B("attn_q_b.weight", true),
    /** Direct query projection of models without q-LoRA (V2-Lite, Moonlight). */
    ATTN_Q("attn_q.weight", true),
    /** Compressed KV {@code [c | k_pe]} ("mqa": one shared RoPE key). */
    ATTN_KV_A_MQA("attn_kv_a_mqa.weight", true),
    ATTN_KV_A_NORM("attn_kv_a_norm.weight", true),
    /** Per-head {@code W_UKᵀ} of the absorbed MLA (current files). */
    ATTN_K_B("attn_k_b.weight", true),
    /** Per-head {@code W_UV} of the absorbed MLA (current files). */
    ATTN_V_B("attn_v_b.weight", true),
    /** Both up-projections in one tensor (early V3/R1 files); split into k_b/v_b at load. */
    ATTN_KV_B("attn_kv_b.weight", true),
    ATTN_OUTPUT("attn_output.weight", true),

    /** Gain of the RMSNorm before the feed-forward. */
    FFN_NORM("ffn_norm.weight", true),
    /** Dense SwiGLU of the leading blocks. */
    FFN_GATE("ffn_gate.weight", true),
    FFN_UP("ffn_up.weight", true),
    FFN_DOWN("ffn_down.weight", true),
    /** Router {@code [d][experts]}. */
    FFN_GATE_INP("ffn_gate_inp.weight", true),
    /** Selection bias per expert (V3-style routing). */
    EXP_PROBS_B("exp_probs_b.bias", true),
    /** Routed experts, stacked along the last dimension. */
    FFN_GATE_EXPS("ffn_gate_exps.weight", true),
    FFN_UP_EXPS("ffn_up_exps.weight", true),
    FFN_DOWN_EXPS("ffn_down_exps.weight", true),
    /** Shared experts, concatenated into one SwiGLU. */
    FFN_GATE_SHEXP("ffn_gate_shexp.weight", true),
    FFN_UP_SHEXP("ffn_up_shexp.weight", true),
    FFN_DOWN_SHEXP("ffn_down_shexp.weight", true);

    private static final String BLOCK_PREFIX = "blk.";

    private final String suffix;
    private final boolean perBlock;

    TensorKind(String suffix, boolean perBlock) {
        this.suffix = suffix;
        this.perBlock = perBlock;
    }

    /** Whether every block has its own tensor of this kind ({@code blk.N.…}). */
    public boolean perBlock() {
        return perBlock;
    }

    /** The name of the model-wide tensor of this kind. */
    public String tensorName() {
        if (perBlock) {
            throw new IllegalStateException(this + " is a per-block tensor: give the block");
        }
        return suffix;
    }

    /** The name of this kind's tensor in {@code block}. */
    public String tensorName(int block) {
        if (!perBlock) {
            throw new IllegalStateException(this + " is a model-wide tensor: it has no block");
        }
        return BLOCK_PREFIX + block + "." + suffix;
    }

    /**
     * The kind of the tensor called {@code name} ({@code blk.N.…} or model-wide), or {@code null} for a
     * name this engine does not know (files may carry more, e.g. the MTP blocks' extra tensors).
     */
    public static TensorKind ofName(String name) {
        boolean inBlock = name.startsWith(BLOCK_PREFIX);
        String suffix = name;
        if (inBlock) {
            int dot = name.indexOf('.', BLOCK_PREFIX.length());
            if (dot < 0) {
                return null;
            }
            suffix = name.substring(dot + 1);
        }
        for (TensorKind k : values()) {
            if (k.perBlock == inBlock && k.suffix.equals(suffix)) {
                return k;
            }
        }
        return null;
    }

    /**
     * The block number in a per-block tensor's name ({@code blk.N.…}), or -1 for a model-wide name or
     * one whose block number is not a plain non-negative number of at most six digits.
     */
    public static int blockOf(String name) {
        if (!name.startsWith(BLOCK_PREFIX)) {
            return -1;
        }
        int start = BLOCK_PREFIX.length();
        int dot = name.indexOf('.', start);
        if (dot <= start || dot - start > 6) {
            return -1;
        }
        int block = 0;
        for (int i = start; i < dot; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            block = block * 10 + (c - '0');
        }
        return block;
    }

    /** Whether the tensor stacks the routed experts (of which a token uses only some). */
    public boolean isRoutedExperts() {
        return this == FFN_GATE_EXPS || this == FFN_UP_EXPS || this == FFN_DOWN_EXPS;
    }

    /** Whether the tensor is an RMSNorm gain (1-D, one value per normalised element). */
    public boolean isNormGain() {
        return this == OUTPUT_NORM || this == ATTN_NORM || this == ATTN_Q_A_NORM || this == ATTN_KV_A_NORM
                || this == FFN_NORM;
    }

    /** Whether the tensor is a down projection of an FFN (dense, routed or shared). */
    public boolean isFfnDown() {
        return this == FFN_DOWN || this == FFN_DOWN_EXPS || this == FFN_DOWN_SHEXP;
    }
}
