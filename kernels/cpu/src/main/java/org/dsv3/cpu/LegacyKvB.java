package org.dsv3.cpu;

import java.lang.foreign.Arena;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * Splits a legacy {@code attn_kv_b} ({@code [H·(d_nope+d_v)][r_kv]}, row {@code h·(d_nope+d_v)+j}:
 * k_nope for j &lt; d_nope, value after) into the absorbed form the attention uses, laid out like
 * {@code attn_k_b} / {@code attn_v_b} of current files (docs/architecture.md §2.3): per head
 * {@code W_UK,hᵀ} ({@code [r_kv][d_nope]}) and {@code W_UV,h} ({@code [d_v][r_kv]}). The tensor is small
 * (one per layer), so it is dequantized once at load; this is the engine's only dequantized weight copy.
 */
public final class LegacyKvB {
    private LegacyKvB() {
    }

    /** {@code {kB, vB}} as float32 matrices in {@code arena}. */
    public static WeightMatrix[] split(WeightMatrix kvB, DeepSeekConfig c, Arena arena) {
        int heads = c.headCount();
        int nope = c.qkNopeDim();
        int v = c.vHeadDim();
        int rank = c.kvLoraRank();
        if (kvB.rows() != heads * (nope + v) || kvB.cols() != rank) {
            throw new IllegalArgumentException(kvB.name() + ": " + kvB.rows() + "×" + kvB.cols() + ", expected "
                    + heads * (nope + v) + "×" + rank);
        }
        float[] w = kvB.toFloats();
        float[] kB = new float[heads * rank * nope];
        float[] vB = new float[heads * v * rank];
        for (int h = 0; h < heads; h++) {
            int base = h * (nope + v);
            for (int j = 0; j < nope; j++) {
                for (int i = 0; i < rank; i++) {
                    kB[(h * rank + i) * nope + j] = w[(base + j) * rank + i]; // transpose W_UK,h
                }
            }
            System.arraycopy(w, (base + nope) * rank, vB, h * v * rank, v * rank);
        }
        String layer = kvB.name().replace("attn_kv_b", "attn_k_b");
        return new WeightMatrix[] {
                WeightMatrix.ofFloats(layer, kB, heads * rank, nope, arena),
                WeightMatrix.ofFloats(kvB.name().replace("attn_kv_b", "attn_v_b"), vB, heads * v, rank, arena)};
    }
}
