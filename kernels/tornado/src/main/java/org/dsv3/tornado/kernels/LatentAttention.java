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
 * array per block. Three launches:
 * <ol>
 *   <li>{@link #absorb}: the absorbed query of every head, {@code Q_h = [W_UK,hᵀ·q_nope,h | RoPE(q_pe,h)]}
 *       (576 wide), computed once and kept in {@code qabs};</li>
 *   <li>{@link #attend}: per group of {@link #HEADS_PER_GROUP} heads and per slice ("split") of the
 *       positions: the new cache row, scores {@code s·Q_h·K_t}, an online softmax and the weighted sum of
 *       latents. A work-group reads each cache row of its slice once for all the heads of its group (the
 *       latent cache is shared by all heads: that is the point of MLA);</li>
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
    /** Rows of {@code W_UK} per {@link #absorb} work-group. */
    public static final int ABSORB_ROWS = GROUP / QLANES;
    /** Heads whose scores one {@link #attend} work-group computes from the same cache rows. */
    public static final int HEADS_PER_GROUP = 8;
    /** Positions scored at once by an {@link #attend} work-group: one thread per (head of the group, position). */
    private static final int TILE = GROUP / HEADS_PER_GROUP;
    /** Row stride of the queries in local memory: one more than the width, so the heads fall on different banks. */
    private static final int QSTRIDE = MAX_WIDTH + 1;
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

    /** Head groups of {@link #attend}: {@code ⌈heads / HEADS_PER_GROUP⌉}. */
    public static int headGroups(int heads) {
        return (heads + HEADS_PER_GROUP - 1) / HEADS_PER_GROUP;
    }

    /** Work-groups of {@link #absorb} ({@code rank} a multiple of {@link #ABSORB_ROWS}). */
    public static int absorbGroups(int heads, int rank) {
        return heads * rank / ABSORB_ROWS;
    }

    /**
     * The absorbed queries {@code qabs[h·W …] = [W_UK,hᵀ·q_nope,h | RoPE(q_pe,h)]}. Launch with
     * {@link #absorbGroups}{@code ·GROUP} threads: {@link #QLANES} neighbouring threads share a row of
     * {@code kB} ({@code attn_k_b}, {@code [heads·rank][nope]}, row {@code h·rank + j} is {@code W_UK,h}'s
     * column j), so that a warp reads neighbouring bytes; their partial sums meet in local memory. The
     * work-group holding a head's first row also rotates that head's {@code q_pe} (YaRN, NORM pairs;
     * {@code rope} holds per position {@code ropeDim/2} cosines then as many sines). q is
     * {@code [heads][nope + ropeDim]}.
     */
    public static void absorb(KernelContext ctx, FloatArray q, FloatArray rope, IntArray step, IntArray kB, int typeK,
                              FloatArray qabs, int heads, int nope, int ropeDim, int rank) {
        int lid = ctx.localIdx;
        int part = lid % QLANES;
        int first = ctx.groupIdx * ABSORB_ROWS;
        int r = first + lid / QLANES;
        int width = rank + ropeDim;
        int qk = nope + ropeDim;
        int pairs = ropeDim / 2;
        float[] red = ctx.allocateFloatLocalArray(GROUP);
        int kRow = WeightType.rowBytes(typeK, nope);
        int h = r / rank;
        float s = 0f;
        if (r < heads * rank) {
            s = BlockDot.row(typeK, kB, r * kRow, nope, q, h * qk, part, QLANES);
        }
        red[lid] = s;
        for (int stride = QLANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (part < stride) {
                red[lid] += red[lid + stride];
            }
        }
        ctx.localBarrier();
        if (part == 0 && r < heads * rank) {
            qabs.set(h * width + r - h * rank, red[lid]);
        }
        int head = first / rank;
        if (first - head * rank == 0 && head < heads && lid < pairs) {
            int angles = step.get(1) * ropeDim;
            float cos = rope.get(angles + lid);
            float sin = rope.get(angles + pairs + lid);
            float a = q.get(head * qk + nope + 2 * lid);
            float b = q.get(head * qk + nope + 2 * lid + 1);
            qabs.set(head * width + rank + 2 * lid, a * cos - b * sin);
            qabs.set(head * width + rank + 2 * lid + 1, a * sin + b * cos);
        }
    }

    /**
     * Scores, softmax and weighted latent sum of a group of heads over one slice of the positions, with
     * the new cache row computed in the same launch. Launch with {@code headGroups(heads)·splits·GROUP}
     * threads; work-group {@code (g, s)} takes heads {@code g·HEADS_PER_GROUP …} and slice s. Only the
     * first {@link #slicesUsed}{@code (pos+1, splits, minChunk)} slices hold positions; the others write an
     * empty result (maximum −1e30, sum 0), which the merge weighs as 0.
     * <ol>
     *   <li>the group's absorbed queries ({@link #absorb}) into local memory;</li>
     *   <li>the new key row {@code [RMSNorm(c) | RoPE(k_pe)]} from {@code kv} (cheap, so every group computes
     *       it: no barrier sits in a branch), used from local memory; the group of heads 0… whose slice holds
     *       the current position also appends it to {@code cache};</li>
     *   <li>{@link #TILE} positions at a time: one thread per (head, position) computes {@code s·Q_h·K_t}
     *       (the group's heads read the same cache row at once), then per head an online-softmax update, then
     *       every thread adds the tile's weighted rows to its two latent columns of each head; writes
     *       {@code partial[(h·splits + s)·(rank+2) …]}: the unnormalised sum, the running maximum score and
     *       the sum of exponentials.</li>
     * </ol>
     */
    public static void attend(KernelContext ctx, FloatArray qabs, FloatArray kv, FloatArray kvNorm, float eps,
                              FloatArray rope, IntArray step, FloatArray cache, float scale,
                              FloatArray partial, int heads, int ropeDim, int rank, int splits, int minChunk) {
        int lid = ctx.localIdx;
        int g = ctx.groupIdx / splits;
        int s = ctx.groupIdx % splits;
        int width = rank + ropeDim;
        int pairs = ropeDim / 2;
        int h0 = g * HEADS_PER_GROUP;
        int hg = heads - h0 < HEADS_PER_GROUP ? heads - h0 : HEADS_PER_GROUP;
        float[] ql = ctx.allocateFloatLocalArray(HEADS_PER_GROUP * QSTRIDE);
        float[] kcur = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] red = ctx.allocateFloatLocalArray(GROUP);
        float[] acc = ctx.allocateFloatLocalArray(HEADS_PER_GROUP * MAX_RANK);
        float[] mh = ctx.allocateFloatLocalArray(HEADS_PER_GROUP);
        float[] lh = ctx.allocateFloatLocalArray(HEADS_PER_GROUP);
        float[] corr = ctx.allocateFloatLocalArray(HEADS_PER_GROUP);
        int pos = step.get(1);
        int angles = pos * ropeDim;
        int n = pos + 1;
        int used = slicesUsed(n, splits, minChunk);
        int chunk = (n + used - 1) / used;
        int lo = s * chunk;
        int hi = lo + chunk < n ? lo + chunk : n;

        // 1. the group's queries, and empty accumulators
        for (int i = lid; i < hg * width; i += GROUP) {
            int hh = i / width;
            ql[hh * QSTRIDE + i - hh * width] = qabs.get((h0 + hh) * width + i - hh * width);
        }
        for (int i = lid; i < HEADS_PER_GROUP * MAX_RANK; i += GROUP) {
            acc[i] = 0f;
        }
        if (lid < HEADS_PER_GROUP) {
            mh[lid] = NEG;
            lh[lid] = 0f;
        }

        // 2. the new cache row
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
        if (g == 0 && lo <= pos && pos < hi) {
            for (int i = lid; i < width; i += GROUP) {
                cache.set(pos * width + i, kcur[i]);
            }
        }

        // 3. online softmax over the slice, TILE positions at a time
        int hh = lid % HEADS_PER_GROUP;
        int p = lid / HEADS_PER_GROUP;
        int i0 = lid;
        int i1 = lid + GROUP;
        for (int t0 = lo; t0 < hi; t0 += TILE) {
            int t = t0 + p;
            // four interleaved partial sums: independent loads in flight, and a shorter rounding chain
            float d0 = 0f;
            float d1 = 0f;
            float d2 = 0f;
            float d3 = 0f;
            if (t < hi && hh < hg) {
                int q0 = hh * QSTRIDE;
                if (t == pos) {
                    for (int i = 0; i < width; i += 4) {
                        d0 += ql[q0 + i] * kcur[i];
                        d1 += ql[q0 + i + 1] * kcur[i + 1];
                        d2 += ql[q0 + i + 2] * kcur[i + 2];
                        d3 += ql[q0 + i + 3] * kcur[i + 3];
                    }
                } else {
                    int k0 = t * width;
                    for (int i = 0; i < width; i += 4) {
                        d0 += ql[q0 + i] * cache.get(k0 + i);
                        d1 += ql[q0 + i + 1] * cache.get(k0 + i + 1);
                        d2 += ql[q0 + i + 2] * cache.get(k0 + i + 2);
                        d3 += ql[q0 + i + 3] * cache.get(k0 + i + 3);
                    }
                }
            }
            float dot = (d0 + d1) + (d2 + d3);
            ctx.localBarrier();
            red[lid] = dot * scale;
            ctx.localBarrier();
            if (lid < hg) {
                float mOld = mh[lid];
                float mNew = mOld;
                for (int k = 0; k < TILE; k++) {
                    if (t0 + k < hi) {
                        mNew = TornadoMath.max(mNew, red[k * HEADS_PER_GROUP + lid]);
                    }
                }
                float sum = 0f;
                for (int k = 0; k < TILE; k++) {
                    float e = t0 + k < hi ? TornadoMath.exp(red[k * HEADS_PER_GROUP + lid] - mNew) : 0f;
                    red[k * HEADS_PER_GROUP + lid] = e;
                    sum += e;
                }
                float c = TornadoMath.exp(mOld - mNew);
                corr[lid] = c;
                mh[lid] = mNew;
                lh[lid] = lh[lid] * c + sum;
            }
            ctx.localBarrier();
            for (int j = 0; j < hg; j++) {
                float a0 = i0 < rank ? acc[j * MAX_RANK + i0] * corr[j] : 0f;
                float a1 = i1 < rank ? acc[j * MAX_RANK + i1] * corr[j] : 0f;
                for (int k = 0; k < TILE; k++) {
                    int tk = t0 + k;
                    if (tk < hi) {
                        float e = red[k * HEADS_PER_GROUP + j];
                        if (i0 < rank) {
                            a0 += e * (tk == pos ? kcur[i0] : cache.get(tk * width + i0));
                        }
                        if (i1 < rank) {
                            a1 += e * (tk == pos ? kcur[i1] : cache.get(tk * width + i1));
                        }
                    }
                }
                if (i0 < rank) {
                    acc[j * MAX_RANK + i0] = a0;
                }
                if (i1 < rank) {
                    acc[j * MAX_RANK + i1] = a1;
                }
            }
        }
        ctx.localBarrier();
        for (int j = 0; j < hg; j++) {
            int out = ((h0 + j) * splits + s) * (rank + 2);
            if (i0 < rank) {
                partial.set(out + i0, acc[j * MAX_RANK + i0]);
            }
            if (i1 < rank) {
                partial.set(out + i1, acc[j * MAX_RANK + i1]);
            }
            if (lid == 0) {
                partial.set(out + rank, mh[j]);
                partial.set(out + rank + 1, lh[j]);
            }
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
