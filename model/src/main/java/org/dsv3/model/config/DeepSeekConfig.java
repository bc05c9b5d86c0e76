package org.dsv3.model.config;

import java.nio.file.Path;
import org.dsv3.model.gguf.GgufException;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufModel;

/**
 * Everything that distinguishes one model of the DeepSeek-V3 family from another, read from the
 * {@code deepseek2.*} keys of a GGUF file (docs/architecture.md §1). One configuration object serves
 * V2, V2-Lite, V3/R1/V3.1, Moonlight and Kimi-K2: the variants are data, not subclasses.
 *
 * @param blockCount        blocks in the file ({@code block_count})
 * @param mainBlockCount    blocks of the main stack: {@code block_count - nextn_predict_layers} (§8)
 * @param qLoraRank         0 when the model projects q directly with {@code attn_q} (V2-Lite, Moonlight)
 * @param qkNopeDim         per-head query/key dimensions without RoPE (128 in V3)
 * @param qkRopeDim         per-head RoPE dimensions (64)
 * @param vHeadDim          per-head value dimension (128)
 * @param latentNormEps     epsilon of {@code attn_q_a_norm}/{@code attn_kv_a_norm}: DeepSeek's and HF's code use 1e-6 whatever
 *                          {@code rms_norm_eps} says (§10 item 13)
 * @param yarnFactor        RoPE scaling factor; 1 when there is no YaRN (Moonlight)
 * @param mscaleAllDim      {@code yarn_log_multiplier / 0.1} (§1.3, §10 item 3)
 * @param groupCount        expert groups (1 = no group-limited routing)
 */
public record DeepSeekConfig(
        String name,
        int blockCount,
        int mainBlockCount,
        int contextLength,
        int dim,
        int ffnDim,
        int headCount,
        int qLoraRank,
        int kvLoraRank,
        int qkNopeDim,
        int qkRopeDim,
        int vHeadDim,
        float rmsEps,
        float latentNormEps,
        float ropeBase,
        boolean yarn,
        float yarnFactor,
        int yarnOriginalContext,
        float mscaleAllDim,
        float yarnBetaFast,
        float yarnBetaSlow,
        int denseBlockCount,
        int expertCount,
        int expertUsedCount,
        int sharedExpertCount,
        int expertFfnDim,
        float routedScale,
        boolean normalizeTopK,
        Gating gating,
        int groupCount,
        int groupUsedCount,
        boolean hasSelectionBias,
        AttentionLayout attentionLayout,
        int vocabSize) {

    public static final String ARCH = "deepseek2";
    private static final String P = ARCH + ".";

    /** Reads the configuration of an opened model; tensor presence decides q-LoRA and the MLA layout (§1.3). */
    public static DeepSeekConfig fromGguf(GgufModel model, GroupRouting groupRouting) {
        GgufMetadata md = model.metadata();
        Path file = model.path();
        String arch = md.optString("general.architecture").orElseThrow(() ->
                GgufException.of(file, "general.architecture", "missing: not a model file"));
        if (!arch.equals(ARCH)) {
            throw GgufException.of(file, "general.architecture", "'" + arch + "' is not supported; this engine runs GGUF architecture '"
                    + ARCH + "': DeepSeek-V2, V2-Lite, V2.5, Coder-V2, V3, R1, V3.1, Moonlight and Kimi-K2");
        }
        // A vocabulary-only file has the keys but no tensors: judge the layout from the keys alone.
        boolean vocabOnly = model.tensors().isEmpty();
        // Every count is bounded by what the file can hold, before anything is sized by it.
        long maxDim = vocabOnly ? MAX_DIM_WITHOUT_TENSORS : largestDimension(model);
        int blockCount = count(md, file, "block_count", 1, vocabOnly ? MAX_BLOCKS_WITHOUT_TENSORS : blocksPresent(model));
        int nextn = md.optInt(P + "nextn_predict_layers", 0);
        if (nextn < 0 || nextn >= blockCount) {
            throw GgufException.of(file, P + "nextn_predict_layers", nextn + " must be in 0.." + (blockCount - 1));
        }
        int headCount = count(md, file, "attention.head_count", 1, maxDim);
        int qkRope = count(md, file, "rope.dimension_count", 2, maxDim);
        for (String k : new String[] {"embedding_length", "attention.kv_lora_rank"}) {
            count(md, file, k, 1, maxDim);
        }
        for (String k : new String[] {"feed_forward_length", "expert_feed_forward_length", "expert_count",
                "expert_used_count", "expert_shared_count", "attention.q_lora_rank", "attention.key_length",
                "attention.value_length", "attention.key_length_mla", "attention.value_length_mla", "vocab_size",
                "leading_dense_block_count", "expert_group_count", "expert_group_used_count"}) {
            if (md.contains(P + k)) {
                count(md, file, k, 0, maxDim);
            }
        }
        count(md, file, "context_length", 1, MAX_CONTEXT);
        if (md.contains(P + "rope.scaling.original_context_length")) {
            count(md, file, "rope.scaling.original_context_length", 1, MAX_CONTEXT);
        }
        positive(md, file, "attention.layer_norm_rms_epsilon");
        for (String k : new String[] {"rope.freq_base", "expert_weights_scale"}) {
            if (md.contains(P + k)) {
                positive(md, file, k);
            }
        }
        if (md.contains(P + "rope.scaling.factor") && !(md.getFloat(P + "rope.scaling.factor") >= 0)) {
            finite(md, file, "rope.scaling.factor", false); // NaN or negative: refused (0 means no scaling)
        }
        if (md.contains(P + "rope.scaling.factor")) {
            finite(md, file, "rope.scaling.factor", true);
        }
        for (String k : new String[] {"rope.scaling.yarn_log_multiplier", "rope.scaling.yarn_beta_fast", "rope.scaling.yarn_beta_slow"}) {
            if (md.contains(P + k)) {
                finite(md, file, k, true);
            }
        }

        boolean mlaKeys = md.contains(P + "attention.key_length_mla") && md.contains(P + "attention.value_length_mla");
        boolean hasKvB = vocabOnly ? !mlaKeys : model.hasTensor(TensorKind.ATTN_KV_B.tensorName(0));
        boolean hasKbVb = vocabOnly ? mlaKeys : model.hasTensor(TensorKind.ATTN_K_B.tensorName(0))
                && model.hasTensor(TensorKind.ATTN_V_B.tensorName(0));
        AttentionLayout layout;
        int qkHead;
        int vHead;
        if (hasKbVb) {
            layout = AttentionLayout.MLA;
            if (!mlaKeys) {
                throw GgufException.of(file, P + "attention.key_length_mla", "missing although the file has attn_k_b/attn_v_b tensors");
            }
            qkHead = md.getInt(P + "attention.key_length_mla");
            vHead = md.getInt(P + "attention.value_length_mla");
        } else if (hasKvB) {
            layout = AttentionLayout.LEGACY_KV_B;
            qkHead = mlaKeys ? md.getInt(P + "attention.key_length_mla") : md.getInt(P + "attention.key_length");
            vHead = mlaKeys ? md.getInt(P + "attention.value_length_mla") : md.getInt(P + "attention.value_length");
        } else {
            throw GgufException.of(file, TensorKind.ATTN_K_B.tensorName(0), "neither attn_k_b/attn_v_b (MLA layout) nor attn_kv_b (legacy layout) is present");
        }
        if ((long) headCount * qkHead > maxDim || (long) headCount * vHead > maxDim) {
            throw GgufException.of(file, P + "attention.head_count", headCount + " heads of " + qkHead + "/" + vHead
                    + " values exceed every tensor of the file (largest dimension " + maxDim + ")");
        }
        if (qkHead <= qkRope) {
            throw GgufException.of(file, P + "attention.key_length_mla", "key length " + qkHead + " must exceed the RoPE dimension " + qkRope);
        }
        boolean qLoraPresent = vocabOnly ? md.contains(P + "attention.q_lora_rank") : model.hasTensor(TensorKind.ATTN_Q_A.tensorName(0));
        int qLora = qLoraPresent ? md.getInt(P + "attention.q_lora_rank") : 0;

        String scaling = md.optString(P + "rope.scaling.type").orElse("none");
        float factor = md.optFloat(P + "rope.scaling.factor", 1f);
        boolean yarn = scaling.equals("yarn") && factor > 1f;
        if (!scaling.equals("yarn") && !scaling.equals("none") && factor > 1f) {
            throw GgufException.of(file, P + "rope.scaling.type", "'" + scaling + "' scaling is not supported for this architecture (yarn or none)");
        }
        float logMul = md.optFloat(P + "rope.scaling.yarn_log_multiplier", 0f);
        float mscaleAllDim = logMul / 0.1f;
        int contextLength = md.getInt(P + "context_length");

        int expertCount = md.optInt(P + "expert_count", 0);
        Gating gating = md.contains(P + "expert_gating_func")
                ? Gating.fromGgufId(md.getInt(P + "expert_gating_func")) : Gating.SOFTMAX;
        int dense = md.optInt(P + "leading_dense_block_count", 0);
        boolean bias = vocabOnly ? gating == Gating.SIGMOID : model.hasTensor(TensorKind.EXP_PROBS_B.tensorName(Math.min(dense, blockCount - 1)));
        int groups = md.optInt(P + "expert_group_count", 0);
        int groupsUsed = md.optInt(P + "expert_group_used_count", 0);
        if (groups == 0) {
            boolean v3Style = expertCount == 256 && gating == Gating.SIGMOID && bias;
            groups = v3Style ? 8 : 1;
            groupsUsed = v3Style ? 4 : 1;
        }
        if (groupRouting == GroupRouting.OFF) {
            groups = 1;
            groupsUsed = 1;
        }
        if (groups > 1 && (expertCount % groups != 0 || groupsUsed <= 0 || groupsUsed > groups)) {
            throw GgufException.of(file, P + "expert_group_count", groups + " groups / " + groupsUsed
                    + " used do not fit " + expertCount + " experts");
        }
        int used = md.optInt(P + "expert_used_count", 0);
        if (expertCount > 0 && (used <= 0 || used > expertCount)) {
            throw GgufException.of(file, P + "expert_used_count", used + " of " + expertCount + " experts");
        }
        if (dense > blockCount) {
            throw GgufException.of(file, P + "leading_dense_block_count", dense + " exceeds block_count " + blockCount);
        }
        int vocab = md.contains(P + "vocab_size") ? md.getInt(P + "vocab_size")
                : (int) model.tensor(TensorKind.TOKEN_EMBD.tensorName()).dims()[1];
        return new DeepSeekConfig(
                md.optString("general.name").orElse(file.getFileName().toString()),
                blockCount,
                blockCount - nextn,
                contextLength,
                md.getInt(P + "embedding_length"),
                md.optInt(P + "feed_forward_length", 0),
                headCount,
                qLora,
                md.getInt(P + "attention.kv_lora_rank"),
                qkHead - qkRope,
                qkRope,
                vHead,
                md.getFloat(P + "attention.layer_norm_rms_epsilon"),
                1e-6f,
                md.optFloat(P + "rope.freq_base", 10000f),
                yarn,
                yarn ? factor : 1f,
                md.optInt(P + "rope.scaling.original_context_length", contextLength),
                mscaleAllDim,
                md.optFloat(P + "rope.scaling.yarn_beta_fast", 32f),
                md.optFloat(P + "rope.scaling.yarn_beta_slow", 1f),
                dense,
                expertCount,
                used,
                md.optInt(P + "expert_shared_count", 0),
                md.optInt(P + "expert_feed_forward_length", 0),
                md.optFloat(P + "expert_weights_scale", 1f),
                md.optBool(P + "expert_weights_norm", false),
                gating,
                groups,
                groupsUsed,
                bias,
                layout,
                vocab);
    }

    /** Without tensors to measure against, the largest dimension and block count a file may claim. */
    static final long MAX_DIM_WITHOUT_TENSORS = 1L << 20;
    static final int MAX_BLOCKS_WITHOUT_TENSORS = 1024;
    /** The longest context a file may claim (2^24 tokens, 100x DeepSeek-V3's). */
    static final long MAX_CONTEXT = 1L << 24;

    /** An integer key in {@code min..max}, else an error naming the key, the value and the bound. */
    private static int count(GgufMetadata md, Path file, String key, long min, long max) {
        long v = md.getLong(P + key);
        if (v < min || v > max) {
            String why = key.equals("block_count") && v > max
                    ? "the file holds tensors for " + max + " block(s) (blk.0 to blk." + (max - 1) + ")"
                    : "it must be in " + min + ".." + max + (max >= 1L << 24 ? "" : " (the largest tensor dimension of the file)");
            throw GgufException.of(file, P + key, v + " is out of range: " + why);
        }
        return (int) v;
    }

    /** A float key that is a finite number (and, unless {@code signed}, above zero). */
    private static void finite(GgufMetadata md, Path file, String key, boolean signed) {
        double v = md.getFloat(P + key);
        if (!Double.isFinite(v) || (!signed && v <= 0)) {
            throw GgufException.of(file, P + key, v + " is not " + (signed ? "a finite number" : "a finite positive number"));
        }
    }

    private static void positive(GgufMetadata md, Path file, String key) {
        finite(md, file, key, false);
    }

    /** The number of distinct {@code blk.N} blocks whose tensors the file holds, counted 0, 1, 2, ... */
    private static int blocksPresent(GgufModel model) {
        java.util.BitSet seen = new java.util.BitSet();
        for (String name : model.tensors().keySet()) {
            int block = TensorKind.blockOf(name);
            if (block >= 0) {
                seen.set(block);
            }
        }
        return seen.nextClearBit(0);
    }

    private static long largestDimension(GgufModel model) {
        long max = 1;
        for (var t : model.tensors().values()) {
            for (long d : t.dims()) {
                max = Math.max(max, d);
            }
        }
        return max;
    }

    /** Query/key head dimension {@code d_qk = d_nope + d_rope} (192 in V3). */
    public int qkHeadDim() {
        return qkNopeDim + qkRopeDim;
    }

    public boolean hasQLora() {
        return qLoraRank > 0;
    }

    public boolean isMoeBlock(int block) {
        return block >= denseBlockCount && expertCount > 0;
    }

    /** YaRN attention temperature {@code mscale = 0.1·mscale_all_dim·ln(factor) + 1} (§3.4); 1 without YaRN. */
    public double mscale() {
        return yarn ? 0.1 * mscaleAllDim * Math.log(yarnFactor) + 1.0 : 1.0;
    }

    /** Softmax scale {@code s = mscale² / sqrt(d_nope + d_rope)} (§3.4; never 1/sqrt(576)). */
    public float kqScale() {
        double m = mscale();
        return (float) (m * m / Math.sqrt(qkHeadDim()));
    }

    /** Values cached per token and layer: the latent {@code c} and the RoPE'd {@code k_pe} (§3.5). */
    public int kvCacheWidth() {
        return kvLoraRank + qkRopeDim;
    }

    /** Width of the shared-expert FFN: the shared experts are stored concatenated (§5.2). */
    public int sharedFfnDim() {
        return expertFfnDim * sharedExpertCount;
    }

    /** A short family label for reports: guessed from the dimensions, never used for computation. */
    public String family() {
        if (expertCount == 384 && dim == 7168) {
            return "Kimi-K2";
        }
        if (expertCount == 256 && dim == 7168) {
            return "DeepSeek-V3/R1";
        }
        if (expertCount == 160 && dim == 5120) {
            return "DeepSeek-V2";
        }
        if (expertCount == 64 && dim == 2048) {
            return gating == Gating.SIGMOID ? "Moonlight" : "DeepSeek-V2-Lite";
        }
        return (gating == Gating.SIGMOID ? "DeepSeek-V3-style" : "DeepSeek-V2-style") + " (custom size)";
    }
}
