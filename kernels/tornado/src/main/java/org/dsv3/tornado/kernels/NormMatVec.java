package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;
import static org.dsv3.tornado.kernels.MatVec.LANES;
import static org.dsv3.tornado.kernels.MatVec.ROWS;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Matrix–vector products whose input is RMS-normalised first (docs/architecture.md §6:
 * {@code RMSNorm(x, γ)_i = γ_i·x_i / sqrt(mean(x²) + ε)}), without a separate normalisation launch and
 * without any cross-work-group reduction. Whoever writes x also writes {@code xg = γ ⊙ x} element by
 * element; here every work-group sums {@code x²} itself (the vector is a few KiB, read from cache),
 * and {@code W·RMSNorm(x) = W·xg / sqrt(mean(x²) + ε)}. Same work-group shape as {@link MatVec}.
 */
public final class NormMatVec {
    private NormMatVec() {
    }

    /**
     * Two projections of one normalised input in one launch: rows {@code 0 … rowsA−1} of A into
     * {@code yA} and then rows of B into {@code yB} ({@code rowsB} may be 0). When {@code gateA} is 1,
     * {@code yAg = gA ⊙ yA} is written too, for a later normalisation of {@code yA} (q-LoRA's
     * {@code attn_q_a_norm}). Used for {@code [q | kv_a]}, {@code [q_a | kv_a]}, {@code q_b} and the
     * output head.
     */
    public static void project2(KernelContext ctx, FloatArray x, FloatArray xg, float eps, int cols,
                                IntArray wA, int typeA, int rowsA, FloatArray yA, FloatArray yAg, FloatArray gA, int gateA,
                                IntArray wB, int typeB, int rowsB, FloatArray yB) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float ss = 0f;
        for (int i = lid; i < cols; i += GROUP) {
            float v = x.get(i);
            ss += v * v;
        }
        part[lid] = ss;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
        ctx.localBarrier();

        int r = ctx.groupIdx * ROWS + lid / LANES;
        float s = 0f;
        if (r < rowsA) {
            s = BlockDot.row(typeA, wA, r * WeightType.rowBytes(typeA, cols), cols, xg, 0, lane, LANES);
        } else if (r < rowsA + rowsB) {
            s = BlockDot.row(typeB, wB, (r - rowsA) * WeightType.rowBytes(typeB, cols), cols, xg, 0, lane, LANES);
        }
        part[lid] = s;
        for (int stride = LANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0) {
            float y = part[lid] * inv;
            if (r < rowsA) {
                yA.set(r, y);
                if (gateA == 1) {
                    yAg.set(r, gA.get(r) * y);
                }
            } else if (r < rowsA + rowsB) {
                yB.set(r - rowsA, y);
            }
        }
    }

    /**
     * The FFN input of a block, normalised: router logits ({@code rowsR} rows of {@code wR}, 0 for a
     * dense block) and then SwiGLU rows {@code act[i] = silu(Wg[i]·x)·(Wu[i]·x)} (docs/architecture.md §5.2)
     * of the shared experts or the dense FFN ({@code rowsF}).
     */
    public static void routerAndGateUp(KernelContext ctx, FloatArray x, FloatArray xg, float eps, int cols,
                                       IntArray wR, int typeR, int rowsR, FloatArray logits,
                                       IntArray wG, int typeG, IntArray wU, int typeU, int rowsF, FloatArray act) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float[] part2 = ctx.allocateFloatLocalArray(GROUP);
        float ss = 0f;
        for (int i = lid; i < cols; i += GROUP) {
            float v = x.get(i);
            ss += v * v;
        }
        part[lid] = ss;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
        ctx.localBarrier();

        int r = ctx.groupIdx * ROWS + lid / LANES;
        float g = 0f;
        float u = 0f;
        if (r < rowsR) {
            g = BlockDot.row(typeR, wR, r * WeightType.rowBytes(typeR, cols), cols, xg, 0, lane, LANES);
        } else if (r < rowsR + rowsF) {
            int i = r - rowsR;
            g = BlockDot.row(typeG, wG, i * WeightType.rowBytes(typeG, cols), cols, xg, 0, lane, LANES);
            u = BlockDot.row(typeU, wU, i * WeightType.rowBytes(typeU, cols), cols, xg, 0, lane, LANES);
        }
        part[lid] = g;
        part2[lid] = u;
        for (int stride = LANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
                part2[lid] += part2[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0) {
            if (r < rowsR) {
                logits.set(r, part[lid] * inv);
            } else if (r < rowsR + rowsF) {
                float gate = part[lid] * inv;
                act.set(r - rowsR, gate / (1f + TornadoMath.exp(-gate)) * (part2[lid] * inv));
            }
        }
    }

    /**
     * The routed experts' SwiGLU rows for one token, the choice of experts included: thread 0 of every
     * work-group routes the token from the router logits ({@link Routing#choose}, into the group's own
     * slot of {@code route}; group 0's slot is the one {@link Residual#downAdd} reads later), then for each
     * of the {@code topK} chosen experts e, {@code act[j·f + i] = silu(Wg_e[i]·x)·(Wu_e[i]·x)}, the rows read
     * straight from the stacked {@code ffn_gate_exps}/{@code ffn_up_exps} tensors.
     *
     * @param types {@code typeG | typeU << 8}
     */
    public static void expertsGateUp(KernelContext ctx, FloatArray x, FloatArray xg, float eps, int cols,
                                     FloatArray logits, FloatArray bias, FloatArray route,
                                     IntArray wG, IntArray wU, int types, int f, int topK, FloatArray act,
                                     int experts, int flags, int groupSpec, float scale) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int typeG = types & 255;
        int typeU = (types >> 8) & 255;
        int slot = ctx.groupIdx * Routing.slotSize(experts, topK, groupSpec & 0xFFFF);
        if (lid == 0) {
            Routing.choose(logits, bias, route, slot, experts, topK, flags, groupSpec, scale);
        }
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float[] part2 = ctx.allocateFloatLocalArray(GROUP);
        float ss = 0f;
        for (int i = lid; i < cols; i += GROUP) {
            float v = x.get(i);
            ss += v * v;
        }
        part[lid] = ss;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.globalBarrier(); // the routing slot written by thread 0 is visible to the group
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
        ctx.localBarrier();

        int r = ctx.groupIdx * ROWS + lid / LANES;
        float g = 0f;
        float u = 0f;
        if (r < topK * f) {
            int e = (int) route.get(slot + Routing.idsAt(experts) + r / f);
            int row = e * f + r % f;
            g = BlockDot.row(typeG, wG, row * WeightType.rowBytes(typeG, cols), cols, xg, 0, lane, LANES);
            u = BlockDot.row(typeU, wU, row * WeightType.rowBytes(typeU, cols), cols, xg, 0, lane, LANES);
        }
        part[lid] = g;
        part2[lid] = u;
        for (int stride = LANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
                part2[lid] += part2[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0 && r < topK * f) {
            float gate = part[lid] * inv;
            act.set(r, gate / (1f + TornadoMath.exp(-gate)) * (part2[lid] * inv));
        }
    }
}
