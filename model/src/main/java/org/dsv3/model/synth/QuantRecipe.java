package org.dsv3.model.synth;

import java.util.Locale;
import org.dsv3.model.config.TensorKind;
import org.dsv3.model.config.TensorSpec;
import org.dsv3.model.quant.GgmlType;

/**
 * Which ggml type each tensor of a synthetic file gets, in the spirit of llama-quantize's presets
 * (docs/architecture.md §9.1, §9.3): 1-D tensors and the router stay F32; "_M" mixes give the down
 * projections and {@code attn_v_b} more bits in some layers; rows whose length is not a multiple of
 * 256 fall back to a 32-block type (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0).
 */
public enum QuantRecipe {
    F32(GgmlType.F32, null), F16(GgmlType.F16, null), BF16(GgmlType.BF16, null),
    Q8_0(GgmlType.Q8_0, null), Q4_0(GgmlType.Q4_0, null), Q5_0(GgmlType.Q5_0, null),
    Q4_K_M(GgmlType.Q4_K, GgmlType.Q6_K), Q5_K_M(GgmlType.Q5_K, GgmlType.Q6_K), Q6_K(GgmlType.Q6_K, null),
    UD_IQ1_S(DynamicMix.UD_IQ1_S), UD_IQ1_M(DynamicMix.UD_IQ1_M), UD_IQ2_XXS(DynamicMix.UD_IQ2_XXS);

    private final GgmlType base;
    private final GgmlType moreBits;
    /** The per-tensor-class mix of the UD recipes ({@code null} for the others). */
    private final DynamicMix mix;

    QuantRecipe(GgmlType base, GgmlType moreBits) {
        this.base = base;
        this.moreBits = moreBits;
        this.mix = null;
    }

    QuantRecipe(DynamicMix mix) {
        this.base = mix.experts();
        this.moreBits = null;
        this.mix = mix;
    }

    /** The recipe named {@code s} (case-insensitive; '-' and '_' alike, as in {@code ud-iq1_s}). */
    public static QuantRecipe parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + s
                    + "' (f32, f16, bf16, q8_0, q4_0, q5_0, q4_k_m, q5_k_m, q6_k, ud-iq1_s, ud-iq1_m, ud-iq2_xxs)");
        }
    }

    /** llama.cpp's "more bits" layers: the first and last eighth and every third layer in between. */
    static boolean moreBitsLayer(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** The type of tensor {@code t} of a file of {@code layers} blocks. */
    public GgmlType typeFor(TensorSpec t, int layers) {
        if (mix != null) {
            return mix.typeFor(t.name(), t.block(), layers, t.rowLength(), t.dims().length);
        }
        TensorKind kind = t.kind();
        if (t.dims().length == 1 || kind == TensorKind.FFN_GATE_INP || kind == TensorKind.EXP_PROBS_B) {
            return GgmlType.F32;
        }
        GgmlType type = base;
        if (moreBits != null) {
            if (kind == TensorKind.OUTPUT) {
                type = moreBits;
            } else if ((kind.isFfnDown() || kind == TensorKind.ATTN_V_B) && moreBitsLayer(t.block(), layers)) {
                type = moreBits;
            }
        }
        return t.rowLength() % type.blockSize() == 0 ? type : fallback(type);
    }

    private static GgmlType fallback(GgmlType t) {
        return switch (t) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
    }

    /** {@code general.file_type} (LlamaFileType) of this recipe. */
    public int fileType() {
        return switch (this) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q4_K_M -> 15;
            case Q5_K_M -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
            case UD_IQ1_S, UD_IQ1_M, UD_IQ2_XXS -> mix.fileType();
        };
    }
}
