package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The element-wise steps of a batch of tokens (prompt processing): the embedding rows, RMS normalisation
 * of every token's row, and handing one token's residual row to the decode buffers. The batch is
 * described by {@code info = [n, first position, token ids…]}; rows are token-major.
 */
public final class BatchOps {
    public static final int GROUP = 256;
    /** Where the token ids start in {@code info}. */
    public static final int TOKENS_AT = 2;

    private BatchOps() {
    }

    /** {@code h[t] = E[token t]} (docs/architecture.md §6, no scaling); launch with ≥ {@code maxTokens·dim} threads. */
    public static void embed(KernelContext ctx, IntArray info, IntArray table, int type, int dim, FloatArray h) {
        int g = ctx.globalIdx;
        int t = g / dim;
        int i = g % dim;
        if (t < info.get(0)) {
            h.set(t * dim + i, BlockValue.at(type, table, info.get(TOKENS_AT + t) * WeightType.rowBytes(type, dim), i));
        }
    }

    /**
     * {@code y[t] = γ ⊙ x[t] / sqrt(mean(x[t]²) + ε)} over {@code cols} values of each token's row ({@code x} and
     * {@code y} with row pitch {@code stride}); one work-group of {@link #GROUP} threads per token. With
     * {@code halves != 0} (even {@code stride} and {@code cols}) it also writes y as packed halves to {@code yh}
     * (word {@code t·stride/2 + p} = values 2p, 2p+1 of row t, {@link CacheFormat#saturatedF16Bits}), for the
     * tensor-core products that read it ({@link BatchMatMul#X_HALVES}); otherwise {@code yh} is not touched.
     */
    public static void rmsNorm(KernelContext ctx, IntArray info, FloatArray x, int stride, int cols, FloatArray gain,
                               float eps, FloatArray y, IntArray yh, int halves) {
        int lid = ctx.localIdx;
        int t = ctx.groupIdx;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int count = t < info.get(0) ? cols : 0;
        float ss = 0f;
        for (int i = lid; i < count; i += GROUP) {
            float v = x.get(t * stride + i);
            ss += v * v;
        }
        part[lid] = ss;
        for (int s = GROUP / 2; s > 0; s >>= 1) {
            ctx.localBarrier();
            if (lid < s) {
                part[lid] += part[lid + s];
            }
        }
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
        if (halves != 0) {
            for (int p = lid; p < count / 2; p += GROUP) {
                int at = t * stride + 2 * p;
                float v0 = gain.get(2 * p) * x.get(at) * inv;
                float v1 = gain.get(2 * p + 1) * x.get(at + 1) * inv;
                y.set(at, v0);
                y.set(at + 1, v1);
                yh.set(at >> 1, CacheFormat.saturatedF16Bits(v0) | (CacheFormat.saturatedF16Bits(v1) << 16));
            }
        } else {
            for (int i = lid; i < count; i += GROUP) {
                y.set(t * stride + i, gain.get(i) * x.get(t * stride + i) * inv);
            }
        }
    }

    /** {@code h = row, hg = rowGained} (one token's final residual and its gained copy, for the decode output head). */
    public static void toDecode(KernelContext ctx, FloatArray row, FloatArray rowGained, int dim, FloatArray h, FloatArray hg) {
        int i = ctx.globalIdx;
        if (i < dim) {
            h.set(i, row.get(i));
            hg.set(i, rowGained.get(i));
        }
    }
}
