package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The start of a token's forward pass (docs/architecture.md §6: {@code h0 = token_embd[token]}, no
 * scaling): the embedding row of the token in {@code step[0]} decoded straight from the stored table.
 */
public final class Embedding {
    private Embedding() {
    }

    /**
     * Launch with at least {@code dim} threads. Writes {@code h = E[token]} and {@code hg = gain ⊙ h}
     * (the first block's {@code attn_norm} input, see {@link NormMatVec}).
     */
    public static void lookup(KernelContext ctx, IntArray step, IntArray table, int type, int dim, FloatArray gain,
                              FloatArray h, FloatArray hg) {
        int i = ctx.globalIdx;
        if (i < dim) {
            float v = BlockValue.at(type, table, step.get(0) * WeightType.rowBytes(type, dim), i);
            h.set(i, v);
            hg.set(i, gain.get(i) * v);
        }
    }
}
