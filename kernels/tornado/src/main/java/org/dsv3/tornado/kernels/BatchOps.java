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
     * {@code y} with row pitch {@code stride}); one work-group of {@link #GROUP} threads per token.
     */
    public static void rmsNorm(KernelContext ctx, IntArray info, FloatArray x, int stride, int cols, FloatArray gain,
                               float eps, FloatArray y) {
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
        for (int i = lid; i < count; i += GROUP) {
            y.set(t * stride + i, gain.get(i) * x.get(t * stride + i) * inv);
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
