package org.dsv3.cpu;

import org.dsv3.cpu.kernels.VectorOps;

/**
 * Quantized matrix products {@code Y = X·Wᵀ} for a batch of T input rows, parallel over weight rows.
 * A single input row uses the fused quantized dot product; a batch dequantizes each weight row once
 * (in small row blocks that stay in cache) and dots it with every input row, so a weight pass serves
 * the whole batch.
 */
public final class MatMul {
    /** Weight rows dequantized together before the pass over the batch. */
    private static final int ROW_BLOCK = 8;

    private final WorkerPool pool;

    public MatMul(WorkerPool pool) {
        this.pool = pool;
    }

    public WorkerPool pool() {
        return pool;
    }

    /** {@code out[t][r] = W[r] · x[t]} for a batch {@code x} of {@code [T][cols]}; returns {@code [T][rows]}. */
    public float[] apply(WeightMatrix w, float[] x, int tokens) {
        float[] out = new float[tokens * w.rows()];
        apply(w, x, tokens, out);
        return out;
    }

    /** As {@link #apply(WeightMatrix, float[], int)} into {@code out} ({@code [T][rows]}). */
    public void apply(WeightMatrix w, float[] x, int tokens, float[] out) {
        int minChunk = Math.max(ROW_BLOCK, 16384 / Math.max(1, w.cols() * Math.max(1, tokens)));
        pool.parallelFor(w.rows(), minChunk, (from, to, worker) ->
                rows(w, from, to, x, 0, w.cols(), tokens, out, 0, w.rows()));
    }

    /**
     * The serial kernel: for weight rows {@code [from, to)} and batch rows {@code t < tokens},
     * {@code out[outOff + t·outStride + r] = W[r] · x[xOff + t·xStride …]}.
     */
    public static void rows(WeightMatrix w, int from, int to, float[] x, int xOff, int xStride, int tokens,
                            float[] out, int outOff, int outStride) {
        if (tokens == 1) {
            for (int r = from; r < to; r++) {
                out[outOff + r] = w.dot(r, x, xOff);
            }
            return;
        }
        int cols = w.cols();
        float[] block = new float[ROW_BLOCK * cols];
        for (int r0 = from; r0 < to; r0 += ROW_BLOCK) {
            int n = Math.min(ROW_BLOCK, to - r0);
            for (int i = 0; i < n; i++) {
                w.dequantizeRow(r0 + i, block, i * cols);
            }
            int t = 0;
            // 4 weight rows × 4 inputs at a time: each vector load feeds four FMAs
            for (; t + 4 <= tokens; t += 4) {
                int xo = xOff + t * xStride;
                int oo = outOff + t * outStride + r0;
                int i = 0;
                for (; i + 4 <= n; i += 4) {
                    VectorOps.dotTile4x4(block, i * cols, cols, x, xo, xStride, cols, out, oo + i, outStride);
                }
                for (; i < n; i++) {
                    for (int j = 0; j < 4; j++) {
                        out[oo + j * outStride + i] = VectorOps.dot(block, i * cols, x, xo + j * xStride, cols);
                    }
                }
            }
            for (; t < tokens; t++) {
                int xo = xOff + t * xStride;
                int oo = outOff + t * outStride + r0;
                for (int i = 0; i < n; i++) {
                    out[oo + i] = VectorOps.dot(block, i * cols, x, xo, cols);
                }
            }
        }
    }
}
