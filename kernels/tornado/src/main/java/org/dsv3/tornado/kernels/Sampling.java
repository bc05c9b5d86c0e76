package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Greedy sampling on the device: only the chosen token id travels back to the host. */
public final class Sampling {
    private Sampling() {
    }

    /**
     * Work-groups of {@link #argmaxParts}: each scans a 1/64 of the logits, so that the scan is 64 work-groups wide
     * instead of one (one work-group over V2-Lite's 102,400 logits took 53 µs on the H200, ncu, 2026-12-04).
     */
    public static final int PARTS = 64;
    private static final float LOWEST = -3.4e38f;

    /**
     * Stage 1 of the argmax ({@link #PARTS} work-groups of {@link MatVec#GROUP} threads): work-group g's largest of its
     * slice {@code [g·⌈n/PARTS⌉ …)} of {@code logits[0 … n)} into {@code best[g]}, its index into {@code at[g]} (the
     * lowest among equal values; an empty slice gives {@code n}).
     */
    public static void argmaxParts(KernelContext ctx, FloatArray logits, int n, FloatArray best, IntArray at) {
        int lid = ctx.localIdx;
        int per = (n + PARTS - 1) / PARTS;
        int lo = ctx.groupIdx * per;
        int hi = lo + per < n ? lo + per : n;
        float[] value = ctx.allocateFloatLocalArray(GROUP);
        int[] index = ctx.allocateIntLocalArray(GROUP);
        float b = LOWEST;
        int bi = n;
        // two loads in flight per thread, compared in index order
        for (int i = lo + lid; i < hi; i += 2 * GROUP) {
            int i1 = i + GROUP;
            float v0 = logits.get(i);
            float v1 = i1 < hi ? logits.get(i1) : LOWEST;
            if (v0 > b) {
                b = v0;
                bi = i;
            }
            if (v1 > b) {
                b = v1;
                bi = i1;
            }
        }
        value[lid] = b;
        index[lid] = bi;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                float o = value[lid + stride];
                int oi = index[lid + stride];
                if (o > value[lid] || (o == value[lid] && oi < index[lid])) {
                    value[lid] = o;
                    index[lid] = oi;
                }
            }
        }
        ctx.localBarrier();
        if (lid == 0) {
            best.set(ctx.groupIdx, value[0]);
            at.set(ctx.groupIdx, index[0]);
        }
    }

    /**
     * Stage 2 (one work-group): {@code out[0]} = the index of the largest of {@link #argmaxParts}' results. (The
     * reduction is written out in both kernels: with local arrays passed to a helper method TornadoVM 5.2's OpenCL
     * code returned the bits of a value as the index.)
     */
    public static void argmax(KernelContext ctx, FloatArray best, IntArray at, int n, IntArray out) {
        int lid = ctx.localIdx;
        float[] value = ctx.allocateFloatLocalArray(GROUP);
        int[] index = ctx.allocateIntLocalArray(GROUP);
        value[lid] = lid < PARTS ? best.get(lid) : LOWEST;
        index[lid] = lid < PARTS ? at.get(lid) : n;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                float o = value[lid + stride];
                int oi = index[lid + stride];
                if (o > value[lid] || (o == value[lid] && oi < index[lid])) {
                    value[lid] = o;
                    index[lid] = oi;
                }
            }
        }
        ctx.localBarrier();
        if (lid == 0) {
            out.set(0, index[0]);
        }
    }
}
