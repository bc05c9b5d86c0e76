package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;
import static org.dsv3.tornado.kernels.MatVec.LANES;
import static org.dsv3.tornado.kernels.MatVec.ROWS;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Multi-head latent attention for one token in the weight-absorbed form (docs/architecture.md §3.3),
 * over a latent cache whose rows are {@code [c (rank) | k_pe (ropeDim)]} (width W, §3.5), one cache
 * array per block. Two launches:
 * <ol>
 *   <li>{@link #attend}: per head and per slice ("split") of the positions: the absorbed query
 *       {@code [W_UK,hᵀ·q_nope | RoPE(q_pe)]}, the new cache row, scores {@code s·Q_h·K_t} (576 wide), an
 *       online softmax and the weighted sum of latents;</li>
 *   <li>{@link #combineAndExpand}: the splits merged and {@code o_h = W_UV,h·o_lat[h]}.</li>
 * </ol>
 * The position comes from the device ({@code step[1]}), so the launches never change per token.
 */
public final class LatentAttention {
    /** Widest cache row (c + k_pe) the kernels hold in local memory (every model of the family: 576). */
    public static final int MAX_WIDTH = 576;
    /** Most position slices per head. */
    public static final int MAX_SPLITS = 64;
    /** Largest latent rank (kv_lora_rank) the kernels hold in local memory (every model of the family: 512). */
    public static final int MAX_RANK = 512;
    /** Threads that share one row of {@code W_UK} when the query is absorbed. */
    public static final int QLANES = 16;
    /** Positions scored at once by a work-group (one per 32-lane warp). */
    private static final int TILE = GROUP / LANES;
    private static final float NEG = -1e30f;

    private LatentAttention() {
    }

    /**
     * Slices of the positions {@code 0 … n−1} that carry work: at most {@code splits}, each at least
     * {@code minChunk} positions long (a short context needs few slices; a long one all of them).
     */
    public static int slicesUsed(int n, int splits, int minChunk) {
        int wanted = (n + minChunk - 1) / minChunk;
        return wanted < splits ? (wanted < 1 ? 1 : wanted) : splits;
    }

    /**
     * Scores, softmax and weighted latent sum of one head over one slice of the positions, with the
     * query absorption and the new cache row computed in the same launch. Launch with
     * {@code heads·splits·GROUP} threads; work-group {@code (h, s)}. Only the first
     * {@link #slicesUsed}{@code (pos+1, splits, minChunk)} slices of a head hold positions; the others
     * skip the work and write an empty result (maximum −1e30, sum 0), which the merge weighs as 0.
     * <ol>
     *   <li>{@code q_abs[h] = W_UK,hᵀ·q_nope[h]}: {@link #QLANES} neighbouring threads share a 128-wide row
     *       of {@code kB} ({@code attn_k_b}, {@code [heads·rank][nope]}), so that a warp reads neighbouring
     *       bytes; their partial sums meet in local memory. {@code q_pe[h]} rotated (YaRN, NORM pairs); both
     *       kept in local memory as the 576-wide query;</li>
     *   <li>if its slice holds the current position: the new key row {@code [RMSNorm(c) | RoPE(k_pe)]} from
     *       {@code kv}, used from local memory (the group of head 0 also appends it to {@code cache});</li>
     *   <li>eight positions at a time (one per warp), {@code s·Q·K_t}, an online softmax and the weighted
     *       sum of latents; writes {@code partial[(h·splits + s)·(rank+2) …]}: the unnormalised sum, the
     *       running maximum score and the sum of exponentials.</li>
     * </ol>
     * Every working group of a head recomputes the same {@code q_abs} (a 70 KB read from L2) instead of
     * waiting for another launch. {@code rope} holds per position {@code ropeDim/2} cosines then as many
     * sines; q is {@code [heads][nope + ropeDim]}; kv is {@code [c | k_pe]} before normalisation.
     */
    public static void attend(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray kvNorm, float eps,
                              FloatArray rope, IntArray step, IntArray kB, int typeK, FloatArray cache, float scale,
                              FloatArray partial, int heads, int nope, int ropeDim, int rank, int splits, int minChunk) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int warp = lid / LANES;
        int h = ctx.groupIdx / splits;
        int s = ctx.groupIdx % splits;
        int width = rank + ropeDim;
        int qk = nope + ropeDim;
        int pairs = ropeDim / 2;
        float[] ql = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] kcur = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] red = ctx.allocateFloatLocalArray(GROUP);
        float[] qpart = ctx.allocateFloatLocalArray(QLANES * (MAX_RANK + 1));
        int pos = step.get(1);
        int angles = pos * ropeDim;
        int n = pos + 1;
        int used = slicesUsed(n, splits, minChunk);
        int chunk = (n + used - 1) / used;
        int lo = s * chunk;
        int hi = lo + chunk < n ? lo + chunk : n;
        // rows of q_abs this group computes: none when its slice is empty (the same for every thread)
        int qRows = lo < hi ? rank : 0;

        // 1. the absorbed query of head h: QLANES threads per row, partial sums at qpart[part·(MAX_RANK+1) + row]
        int kRow = WeightType.rowBytes(typeK, nope);
        int part = lid % QLANES;
        for (int r0 = 0; r0 < qRows; r0 += GROUP / QLANES) {
            int r = r0 + lid / QLANES;
            if (r < rank) {
                qpart[part * (MAX_RANK + 1) + r] = BlockDot.row(typeK, kB, (h * rank + r) * kRow, nope, q, h * qk, part, QLANES);
            }
        }
        ctx.localBarrier();
        for (int i = lid; i < qRows; i += GROUP) {
            float v = 0f;
            for (int j = 0; j < QLANES; j++) {
                v += qpart[j * (MAX_RANK + 1) + i];
            }
            ql[i] = v;
        }
        if (lid < pairs) {
            float cos = rope.get(angles + lid);
            float sin = rope.get(angles + pairs + lid);
            float a = q.get(h * qk + nope + 2 * lid);
            float b = q.get(h * qk + nope + 2 * lid + 1);
            ql[rank + 2 * lid] = a * cos - b * sin;
            ql[rank + 2 * lid + 1] = a * sin + b * cos;
        }

        // 2. the new cache row (cheap, so every group computes it: no barrier sits in a branch), appended by
        //    the group of head 0 whose slice of positions 0 … pos holds pos
        float ss = 0f;
        for (int i = lid; i < rank; i += GROUP) {
            float v = kv.get(i);
            ss += v * v;
        }
        red[lid] = ss;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                red[lid] += red[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(red[0] / rank + eps);
        for (int i = lid; i < rank; i += GROUP) {
            kcur[i] = kvNorm.get(i) * (kv.get(i) * inv);
        }
        if (lid < pairs) {
            float cos = rope.get(angles + lid);
            float sin = rope.get(angles + pairs + lid);
            float a = kv.get(rank + 2 * lid);
            float b = kv.get(rank + 2 * lid + 1);
            kcur[rank + 2 * lid] = a * cos - b * sin;
            kcur[rank + 2 * lid + 1] = a * sin + b * cos;
        }
        ctx.localBarrier();
        if (h == 0 && lo <= pos && pos < hi) {
            for (int i = lid; i < width; i += GROUP) {
                cache.set(pos * width + i, kcur[i]);
            }
        }

        // 3. online softmax over the slice, TILE positions at a time
        float m = NEG;
        float l = 0f;
        float acc0 = 0f;
        float acc1 = 0f;
        int i0 = lid;
        int i1 = lid + GROUP;
        for (int t0 = lo; t0 < hi; t0 += TILE) {
            ctx.localBarrier();
            int t = t0 + warp;
            float p = 0f;
            if (t < hi) {
                for (int i = lane; i < width; i += LANES) {
                    float k = t == pos ? kcur[i] : cache.get(t * width + i);
                    p += ql[i] * k;
                }
            }
            red[lid] = p;
            for (int stride = LANES / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lane < stride) {
                    red[lid] += red[lid + stride];
                }
            }
            ctx.localBarrier();
            float mNew = m;
            for (int k = 0; k < TILE; k++) {
                if (t0 + k < hi) {
                    mNew = TornadoMath.max(mNew, red[k * LANES] * scale);
                }
            }
            float corr = TornadoMath.exp(m - mNew);
            l *= corr;
            acc0 *= corr;
            acc1 *= corr;
            for (int k = 0; k < TILE; k++) {
                int tk = t0 + k;
                if (tk < hi) {
                    float e = TornadoMath.exp(red[k * LANES] * scale - mNew);
                    l += e;
                    if (i0 < rank) {
                        acc0 += e * (tk == pos ? kcur[i0] : cache.get(tk * width + i0));
                    }
                    if (i1 < rank) {
                        acc1 += e * (tk == pos ? kcur[i1] : cache.get(tk * width + i1));
                    }
                }
            }
            m = mNew;
        }
        int out = ctx.groupIdx * (rank + 2);
        if (i0 < rank) {
            partial.set(out + i0, acc0);
        }
        if (i1 < rank) {
            partial.set(out + i1, acc1);
        }
        if (lid == 0) {
            partial.set(out + rank, m);
            partial.set(out + rank + 1, l);
        }
    }

    /**
     * Launch with {@code groups(heads·vDim)·GROUP} threads ({@code vDim} a multiple of
     * {@link MatVec#ROWS}, so a work-group's rows share one head). Each work-group merges its head's
     * slices that {@link #attend} used ({@code o_lat = Σ_s e^{m_s−M}·acc_s / Σ_s e^{m_s−M}·l_s}) into its own
     * slot of the scratch {@code olat} (a private copy, so no other work-group touches it), then computes
     * {@code o[h·vDim + j] = W_UV,h[j]·o_lat} from {@code vB} ({@code attn_v_b}, {@code [heads·vDim][rank]}).
     */
    public static void combineAndExpand(KernelContext ctx, FloatArray partial, IntArray step, int splits, int minChunk,
                                        int rank, FloatArray olat, IntArray vB, int typeV, int heads, int vDim, FloatArray o) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int group = ctx.groupIdx;
        int h = group * ROWS / vDim;
        float[] weight = ctx.allocateFloatLocalArray(MAX_SPLITS);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int used = slicesUsed(step.get(1) + 1, splits, minChunk);
        int base = h * splits * (rank + 2);
        float big = NEG;
        for (int s = 0; s < used; s++) {
            big = TornadoMath.max(big, partial.get(base + s * (rank + 2) + rank));
        }
        if (lid < used) {
            weight[lid] = TornadoMath.exp(partial.get(base + lid * (rank + 2) + rank) - big);
        }
        ctx.localBarrier();
        float total = 0f;
        for (int s = 0; s < used; s++) {
            total += weight[s] * partial.get(base + s * (rank + 2) + rank + 1);
        }
        for (int i = lid; i < rank; i += GROUP) {
            float v = 0f;
            for (int s = 0; s < used; s++) {
                v += weight[s] * partial.get(base + s * (rank + 2) + i);
            }
            olat.set(group * rank + i, v / total);
        }
        ctx.globalBarrier();
        int r = group * ROWS + lid / LANES;
        float dot = 0f;
        if (r < heads * vDim) {
            dot = BlockDot.row(typeV, vB, r * WeightType.rowBytes(typeV, rank), rank, olat, group * rank, lane, LANES);
        }
        part[lid] = dot;
        for (int stride = LANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0 && r < heads * vDim) {
            o.set(r, part[lid]);
        }
    }
}
