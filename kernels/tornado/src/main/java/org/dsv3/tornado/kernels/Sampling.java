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
     * One work-group of {@link MatVec#GROUP} threads: {@code out[0]} = the index of the largest of
     * {@code logits[0 … n)}, the lowest index among equal values.
     */
    public static void argmax(KernelContext ctx, FloatArray logits, int n, IntArray out) {
        int lid = ctx.localIdx;
        float[] best = ctx.allocateFloatLocalArray(GROUP);
        int[] at = ctx.allocateIntLocalArray(GROUP);
        float b = -3.4e38f;
        int bi = n;
        // four loads in flight per thread (the loop is bound by memory latency), compared in index order
        for (int i = lid; i < n; i += 4 * GROUP) {
            int i1 = i + GROUP;
            int i2 = i + 2 * GROUP;
            int i3 = i + 3 * GROUP;
            float v0 = logits.get(i);
            float v1 = i1 < n ? logits.get(i1) : -3.4e38f;
            float v2 = i2 < n ? logits.get(i2) : -3.4e38f;
            float v3 = i3 < n ? logits.get(i3) : -3.4e38f;
            if (v0 > b) {
                b = v0;
                bi = i;
            }
            if (v1 > b) {
                b = v1;
                bi = i1;
            }
            if (v2 > b) {
                b = v2;
                bi = i2;
            }
            if (v3 > b) {
                b = v3;
                bi = i3;
            }
        }
        best[lid] = b;
        at[lid] = bi;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                float o = best[lid + stride];
                int oi = at[lid + stride];
                if (o > best[lid] || (o == best[lid] && oi < at[lid])) {
                    best[lid] = o;
                    at[lid] = oi;
                }
            }
        }
        ctx.localBarrier();
        if (lid == 0) {
            out.set(0, at[0]);
        }
    }
}
