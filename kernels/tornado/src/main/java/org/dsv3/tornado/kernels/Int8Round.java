package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The input of a sub-block's products rounded once to 8-bit blocks of {@link Int8Dot#BLOCK} for every launch that
 * reads it on integer dots (docs/architecture.md §9.5), with the sums of squares its normalisation needs.
 *
 * <p>The products read {@code RMSNorm(x, γ) = xg·inv}, {@code inv = 1/sqrt(mean(x²) + ε)} (docs/architecture.md §6;
 * {@code xg = γ ⊙ x} from x's producer, see {@link NormMatVec}). Rounding is scale-free: a block of {@code xg·inv}
 * has the quants of the same block of {@code xg} ({@code round(v·inv / (max|v·inv|/127)) = round(v / (max|v|/127))})
 * and its scale times inv. So each work-group rounds its {@link #VALUES} values of {@code xg} on its own, per block
 * {@code d = max|v|/127}, {@code q = round(v/d)} ({@link Int8Dot#quant}, the CPU engine's {@code Q8Blocks} rule), and
 * the consumers multiply their dot products by inv, which they get from the work-groups' partial sums of
 * {@code x²} ({@link #inverseRms}). A first version summed all of x in every work-group, so it ran as one work-group
 * for 2,048 values: 13 µs on the H200 (2026-12-03), the latency of its serial steps.
 */
public final class Int8Round {
    /** Values a work-group rounds (one a thread). */
    public static final int VALUES = GROUP;

    private Int8Round() {
    }

    /** Work-groups of {@link #blocks} for an input of {@code cols} values (a multiple of 32). */
    public static int groups(int cols) {
        return (cols + VALUES - 1) / VALUES;
    }

    /**
     * Quant words of {@code xg} into {@code xq} (four a word, from word 0), block scales {@code max|v|/127} into
     * {@code xs} (from 0), and work-group w's sum of {@code x²} over its values into {@code sumSquares[w]}.
     */
    public static void blocks(KernelContext ctx, FloatArray x, FloatArray xg, int cols, IntArray xq, FloatArray xs,
                              FloatArray sumSquares) {
        int lid = ctx.localIdx;
        int base = ctx.groupIdx * VALUES;
        int i = base + lid;
        float[] value = ctx.allocateFloatLocalArray(GROUP);
        float[] square = ctx.allocateFloatLocalArray(GROUP);
        float[] blockMax = ctx.allocateFloatLocalArray(GROUP / 32);
        float[] blockSquares = ctx.allocateFloatLocalArray(GROUP / 32);
        float v = 0f;
        float s = 0f;
        if (i < cols) {
            v = xg.get(i);
            float xi = x.get(i);
            s = xi * xi;
        }
        value[lid] = v;
        square[lid] = s;
        ctx.localBarrier();
        if (lid < GROUP / 32) {
            float m = 0f;
            float ss = 0f;
            for (int j = 0; j < 32; j++) {
                m = TornadoMath.max(m, TornadoMath.abs(value[lid * 32 + j]));
                ss += square[lid * 32 + j];
            }
            blockMax[lid] = m;
            blockSquares[lid] = ss;
        }
        ctx.localBarrier();
        if ((lid & 3) == 0 && i < cols) {
            float d = blockMax[lid >> 5] / Int8Dot.MAX_QUANT;
            float id = d != 0f ? 1f / d : 0f;
            int word = 0;
            for (int j = 0; j < 4; j++) {
                word |= Int8Dot.pack(Int8Dot.quant(value[lid + j] * id), j);
            }
            xq.set(i >> 2, word);
            if ((lid & 31) == 0) {
                xs.set(i >> 5, d);
            }
        }
        if (lid == 0) {
            float ss = 0f;
            for (int b = 0; b < GROUP / 32; b++) {
                ss += blockSquares[b];
            }
            sumSquares.set(ctx.groupIdx, ss);
        }
    }

    /** {@code 1/sqrt(mean(x²) + ε)} from {@link #blocks}' partial sums (every thread reads them all: a few words). */
    public static float inverseRms(FloatArray sumSquares, int cols, float eps) {
        float ss = 0f;
        for (int w = 0; w < (cols + VALUES - 1) / VALUES; w++) {
            ss += sumSquares.get(w);
        }
        return 1f / TornadoMath.sqrt(ss / cols + eps);
    }
}
