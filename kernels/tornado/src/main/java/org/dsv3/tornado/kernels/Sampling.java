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
        for (int i = lid; i < n; i += GROUP) {
            float v = logits.get(i);
            if (v > b) {
                b = v;
                bi = i;
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
