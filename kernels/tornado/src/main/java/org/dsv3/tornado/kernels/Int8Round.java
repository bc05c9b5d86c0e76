package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Rounds activation vectors to 8-bit blocks of {@link Int8Dot#BLOCK} for the integer products that read them
 * ({@link Residual#downAdd}): per block {@code d = max|x|/127} and {@code q = round(x/d)} ({@link Int8Dot#quant},
 * the CPU engine's {@code Q8Blocks} rule). Used where the vector's producer spreads a block's values over
 * several work-groups (the SwiGLU rows of the experts), so that it cannot round them itself.
 */
public final class Int8Round {
    /** Values one thread rounds (a quarter block: four threads a block, in one work-group). */
    public static final int PER_THREAD = 8;

    private Int8Round() {
    }

    /** Work-groups of {@link #twoVectors} for {@code n} values in all. */
    public static int groups(int n) {
        return (n / PER_THREAD + GROUP - 1) / GROUP;
    }

    /**
     * {@code a[0 … nA)} then {@code b[0 … nB)} (both multiples of 32) as one run of blocks: quant words in
     * {@code q} (a's from word 0, b's from word {@code nA/4}), scales in {@code d} (a's from 0, b's from
     * {@code nA/32}). Thread t rounds values {@code 8t … 8t+7} of the run; the four threads of a block share
     * its largest magnitude through local memory.
     */
    public static void twoVectors(KernelContext ctx, FloatArray a, int nA, FloatArray b, int nB, IntArray q, FloatArray d) {
        int lid = ctx.localIdx;
        int u = ctx.globalIdx;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int unitsA = nA / PER_THREAD;
        int units = unitsA + nB / PER_THREAD;
        float m = 0f;
        if (u < units) {
            for (int j = 0; j < PER_THREAD; j++) {
                float x = u < unitsA ? a.get(u * PER_THREAD + j) : b.get((u - unitsA) * PER_THREAD + j);
                m = TornadoMath.max(m, TornadoMath.abs(x));
            }
        }
        part[lid] = m;
        ctx.localBarrier();
        if (u < units) {
            int first = lid - (lid & 3);
            float amax = TornadoMath.max(TornadoMath.max(part[first], part[first + 1]),
                    TornadoMath.max(part[first + 2], part[first + 3]));
            float scale = amax / Int8Dot.MAX_QUANT;
            float inv = scale != 0f ? 1f / scale : 0f;
            int lo = 0;
            int hi = 0;
            for (int j = 0; j < 4; j++) {
                float x0 = u < unitsA ? a.get(u * PER_THREAD + j) : b.get((u - unitsA) * PER_THREAD + j);
                float x1 = u < unitsA ? a.get(u * PER_THREAD + 4 + j) : b.get((u - unitsA) * PER_THREAD + 4 + j);
                lo |= Int8Dot.pack(Int8Dot.quant(x0 * inv), j);
                hi |= Int8Dot.pack(Int8Dot.quant(x1 * inv), j);
            }
            q.set(2 * u, lo);
            q.set(2 * u + 1, hi);
            if ((u & 3) == 0) {
                d.set(u >> 2, scale);
            }
        }
    }
}
