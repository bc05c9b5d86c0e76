package org.dsv3.cpu;

/**
 * A batched product over {@link TokenPanels}: weight rows are dequantized a group at a time, and
 * each pair of token panels is multiplied with the whole group ({@link PanelTile}, 12 rows at a
 * time) before the next pair comes in.
 *
 * <p>Cache blocking. A group is at most {@link #GROUP_BYTES} of floats (64 rows at 2048 columns)
 * and stays in L2 (lscpu: 2 MiB per core on the Xeon we measure on; 1 MiB on most AVX-512 parts),
 * next to the two panels being swept across it (2L tokens × cols floats: 256 KB at 32 × 2048).
 * Every panel column loaded serves 6 or 12 rows in registers, every group row dequantized serves every token,
 * and the batch comes from L3 once per group: 64 rows × 2 flops per float read, about 30 flops a
 * byte, well above what L3 must deliver for the FMA units to stay busy.
 */
final class PanelProduct {
    /** Bytes of dequantized rows per group: a quarter to half of the L2 of current x86 cores. */
    static final int GROUP_BYTES = 512 * 1024;
    private static final int L = TokenPanels.LANES;
    private static final ThreadLocal<float[]> GROUP = new ThreadLocal<>();

    private PanelProduct() {
    }

    /** {@code out[outOff + t·outStride + r] = W[r] · x_t} for rows {@code [from, to)} and every token of {@code xp}. */
    static void rows(WeightMatrix w, int from, int to, TokenPanels xp, float[] out, int outOff, int outStride) {
        int cols = w.cols();
        if (xp.cols() != cols) {
            throw new IllegalArgumentException(w.name() + ": " + cols + " columns, input rows of " + xp.cols());
        }
        int groupRows = Math.max(1, GROUP_BYTES / (4 * cols) / PanelTile.ROWS) * PanelTile.ROWS;
        float[] group = groupBuffer(groupRows * cols);
        float[] acc = new float[PanelTile.ROWS * 2 * L];
        float[] panels = xp.data();
        for (int g0 = from; g0 < to; g0 += groupRows) {
            int n = Math.min(groupRows, to - g0);
            for (int i = 0; i < n; i++) {
                w.dequantizeRow(g0 + i, group, i * cols);
            }
            // rows past n in the last tile hold stale floats: computed, never stored
            // panels in pairs: an odd last panel is paired with the zero panel TokenPanels adds
            for (int p = 0; p < xp.panels(); p += 2) {
                for (int i0 = 0; i0 < n; i0 += PanelTile.ROWS) {
                    if (PanelTile.WIDE) {
                        PanelTile.multiply12x2(group, i0 * cols, cols, panels, xp.offset(p), xp.offset(p + 1), acc);
                    } else {
                        PanelTile.multiply6x2(group, i0 * cols, cols, panels, xp.offset(p), acc, 0);
                        PanelTile.multiply6x2(group, (i0 + 6) * cols, cols, panels, xp.offset(p), acc, 6 * 2 * L);
                    }
                    store(acc, 2 * L, Math.min(PanelTile.ROWS, n - i0), p * L, xp.tokens(), out, outOff, outStride, g0 + i0);
                }
            }
        }
    }

    /**
     * Writes the tile {@code acc[i·width + j]} (row {@code r0 + i}, token {@code t0 + j}) to
     * {@code out[outOff + t·outStride + r]} for its first {@code rows} rows and the tokens below {@code tokens}.
     */
    private static void store(float[] acc, int width, int rows, int t0, int tokens, float[] out, int outOff,
                              int outStride, int r0) {
        int valid = Math.min(width, tokens - t0);
        for (int j = 0; j < valid; j++) {
            int o = outOff + (t0 + j) * outStride + r0;
            for (int i = 0; i < rows; i++) {
                out[o + i] = acc[i * width + j];
            }
        }
    }

    private static float[] groupBuffer(int size) {
        float[] b = GROUP.get();
        if (b == null || b.length < size) {
            b = new float[size];
            GROUP.set(b);
        }
        return b;
    }
}
