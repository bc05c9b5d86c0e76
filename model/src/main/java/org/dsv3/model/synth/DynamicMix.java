package org.dsv3.model.synth;

import org.dsv3.model.quant.GgmlType;

/**
 * The 1.5–2-bit "dynamic" mixes that fit DeepSeek-V3/R1 on one 141 GB GPU, in the spirit of
 * unsloth's UD-IQ1_S, UD-IQ1_M and UD-IQ2_XXS uploads: the routed experts (about 97 % of the
 * weights) at the lowest type, {@code ffn_down_exps} one step above {@code gate}/{@code up} (in
 * every MoE layer, or in the first and last eighth of the layers only, which gives the mixture of
 * two types the smaller uploads have), and everything that every token reads — attention, the leading dense
 * layers, shared experts, embedding, output — at Q4_K / Q6_K. Router and 1-D tensors stay F32.
 * For DeepSeek-V3 (671B) this gives about 132 GiB (UD-IQ1_S), 152 GiB (UD-IQ1_M) and 170 GiB
 * (UD-IQ2_XXS) of weights, against unsloth's 131, 158 and 183 GB.
 * Rows that are not whole 256-value blocks fall back to Q4_0 (i-quants), Q5_0 (Q4_K) or Q8_0 (Q6_K).
 *
 * @param experts        routed {@code gate}/{@code up}
 * @param downExperts    routed {@code down}, where it gets more bits
 * @param downEverywhere whether routed {@code down} gets {@code downExperts} in every layer
 * @param fileType       {@code general.file_type} (llama.cpp's LlamaFileType of the lowest type)
 */
public record DynamicMix(GgmlType experts, GgmlType downExperts, boolean downEverywhere, int fileType) {
    public static final DynamicMix UD_IQ1_S = new DynamicMix(GgmlType.IQ1_S, GgmlType.IQ2_XXS, false, 24);
    public static final DynamicMix UD_IQ1_M = new DynamicMix(GgmlType.IQ1_M, GgmlType.IQ2_XXS, true, 31);
    public static final DynamicMix UD_IQ2_XXS = new DynamicMix(GgmlType.IQ2_XXS, GgmlType.IQ2_S, false, 19);

    /** The type of tensor {@code name} (in block {@code layer}, or -1) whose rows hold {@code rowLength} values. */
    public GgmlType typeFor(String name, int layer, int layers, long rowLength, int dims) {
        if (dims == 1 || name.contains("ffn_gate_inp") || name.endsWith(".bias")) {
            return GgmlType.F32;
        }
        GgmlType t;
        if (name.contains("_exps")) {
            boolean moreBits = downEverywhere || layer < layers / 8 || layer >= 7 * layers / 8;
            t = name.contains("ffn_down") && moreBits ? downExperts : experts;
        } else if (name.equals("output.weight") || name.contains("_shexp") || name.contains("ffn_down")
                || name.contains("attn_kv_a_mqa") || name.contains("attn_v_b")) {
            t = GgmlType.Q6_K;
        } else {
            t = GgmlType.Q4_K;
        }
        return rowLength % t.blockSize() == 0 ? t : fallback(t, rowLength);
    }

    /** For rows that are not whole 256-blocks: a 32-block type of about the same cost (or F16). */
    private static GgmlType fallback(GgmlType t, long rowLength) {
        GgmlType small = t == GgmlType.Q6_K ? GgmlType.Q8_0 : t == GgmlType.Q4_K ? GgmlType.Q5_0 : GgmlType.Q4_0;
        return rowLength % 32 == 0 ? small : GgmlType.F16;
    }
}
