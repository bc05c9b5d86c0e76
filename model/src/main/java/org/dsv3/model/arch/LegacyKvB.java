package org.dsv3.model.arch;

import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.gguf.GgufTensor;

/**
 * Splits a legacy {@code attn_kv_b} ({@code [H·(d_nope+d_v)][r_kv]}, row {@code h·(d_nope+d_v)+j}:
 * k_nope for j &lt; d_nope, value after) into the absorbed form the attention uses, laid out like
 * {@code attn_k_b} / {@code attn_v_b} of current files (docs/architecture.md §2.3): per head
 * {@code W_UK,hᵀ} ({@code [r_kv][d_nope]}) and {@code W_UV,h} ({@code [d_v][r_kv]}). The tensor is small
 * (one per layer), so it is dequantized once at load; this is the engine's only dequantized weight copy.
 * Both backends use the split as float32 matrices.
 */
public final class LegacyKvB {
    /**
     * The absorbed matrices, row-major float32.
     *
     * @param kB {@code H·r_kv} rows of {@code d_nope}
     * @param vB {@code H·d_v} rows of {@code r_kv}
     */
    public record Split(float[] kB, int kBRows, int kBCols, float[] vB, int vBRows, int vBCols) {
    }

    private LegacyKvB() {
    }

    public static Split split(GgufTensor kvB, DeepSeekConfig c) {
        int heads = c.headCount();
        int nope = c.qkNopeDim();
        int v = c.vHeadDim();
        int rank = c.kvLoraRank();
        if (kvB.rowCount() != (long) heads * (nope + v) || kvB.rowLength() != rank) {
            throw new IllegalArgumentException(kvB.name() + ": " + kvB.rowCount() + "×" + kvB.rowLength() + ", expected "
                    + heads * (nope + v) + "×" + rank);
        }
        float[] w = TensorValues.floats(kvB);
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
        return new Split(kB, heads * rank, nope, vB, heads * v, rank);
    }
}
