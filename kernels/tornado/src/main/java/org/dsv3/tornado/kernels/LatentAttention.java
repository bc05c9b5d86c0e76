package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;
import static org.dsv3.tornado.kernels.MatVec.LANES;
import static org.dsv3.tornado.kernels.MatVec.ROWS;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Multi-head latent attention for one token in the weight-absorbed form (architecture doc §3.3),
 * over a latent cache whose rows are {@code [c (rank) | k_pe (ropeDim)]} (width W, §3.5), one cache
 * array per block. Three launches:
 * <ol>
 *   <li>{@link #absorb}: {@code q_abs[h] = W_UK,hᵀ·q_nope[h]} into {@code qFull[h] = [q_abs | q_pe]}; one
 *       extra work-group normalises c, rotates k_pe and every q_pe (YaRN RoPE, NORM pairs, §4) and
 *       appends the cache row of this position;</li>
 *   <li>{@link #attend}: per head and per slice ("split") of the positions, scores
 *       {@code s·Q_h·K_t} (576 wide), online softmax and the weighted sum of latents;</li>
 *   <li>{@link #combineAndExpand}: the splits merged and {@code o_h = W_UV,h·o_lat[h]}.</li>
 * </ol>
 * The position comes from the device ({@code step[1]}), so the launches never change per token.
 */
public final class LatentAttention {
    /** Widest cache row (c + k_pe) the kernels hold in local memory (every model of the family: 576). */
    public static final int MAX_WIDTH = 576;
    /** Most position slices per head. */
    public static final int MAX_SPLITS = 64;
    /** Positions scored at once by a work-group (one per 32-lane warp). */
    private static final int TILE = GROUP / LANES;
    private static final float NEG = -1e30f;

    private LatentAttention() {
    }

    /**
     * Launch with {@code (groups(heads·rank) + 1)·GROUP} threads. {@code kB} holds {@code attn_k_b}
     * ({@code [heads·rank][nope]}); {@code rope} holds per position {@code ropeDim/2} cosines then as many
     * sines; q is {@code [heads][nope + ropeDim]}, kv is {@code [c | k_pe]} before normalisation.
     */
    public static void absorb(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray kvNorm, float eps,
                              FloatArray rope, IntArray step, IntArray kB, int typeK, FloatArray cache,
                              FloatArray qFull, int heads, int nope, int ropeDim, int rank) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int width = rank + ropeDim;
        int qk = nope + ropeDim;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        if (ctx.groupIdx < MatVec.groups(heads * rank)) {
            int r = ctx.groupIdx * ROWS + lid / LANES;
            int h = r / rank;
            float s = 0f;
            if (r < heads * rank) {
                s = BlockDot.row(typeK, kB, r * WeightType.rowBytes(typeK, nope), nope, q, h * qk, lane, LANES);
            }
            part[lid] = s;
            for (int stride = LANES / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lane < stride) {
                    part[lid] += part[lid + stride];
                }
            }
            ctx.localBarrier();
            if (lane == 0 && r < heads * rank) {
                qFull.set(h * width + r % rank, part[lid]);
            }
        } else {
            int pos = step.get(1);
            float ss = 0f;
            for (int i = lid; i < rank; i += GROUP) {
                float v = kv.get(i);
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
            float inv = 1f / TornadoMath.sqrt(part[0] / rank + eps);
            int row = pos * width;
            for (int i = lid; i < rank; i += GROUP) {
                cache.set(row + i, kvNorm.get(i) * (kv.get(i) * inv));
            }
            int pairs = ropeDim / 2;
            int angles = pos * ropeDim;
            for (int t = lid; t < (heads + 1) * pairs; t += GROUP) {
                int h = t / pairs;
                int j = t % pairs;
                float cos = rope.get(angles + j);
                float sin = rope.get(angles + pairs + j);
                if (h < heads) {
                    int at = h * qk + nope + 2 * j;
                    float a = q.get(at);
                    float b = q.get(at + 1);
                    qFull.set(h * width + rank + 2 * j, a * cos - b * sin);
                    qFull.set(h * width + rank + 2 * j + 1, a * sin + b * cos);
                } else {
                    float a = kv.get(rank + 2 * j);
                    float b = kv.get(rank + 2 * j + 1);
                    cache.set(row + rank + 2 * j, a * cos - b * sin);
                    cache.set(row + rank + 2 * j + 1, a * sin + b * cos);
                }
            }
        }
    }

    /**
     * Launch with {@code heads·splits·GROUP} threads. Work-group {@code (h, s)} takes slice s of the
     * positions {@code 0 … pos} and writes {@code partial[(h·splits + s)·(rank+2) …]}: the unnormalised
     * weighted latent sum, then the running maximum score and the sum of exponentials.
     */
    public static void attend(KernelContext ctx, FloatArray qFull, FloatArray cache, IntArray step, float scale,
                              FloatArray partial, int heads, int width, int rank, int splits) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int warp = lid / LANES;
        int h = ctx.groupIdx / splits;
        int s = ctx.groupIdx % splits;
        float[] ql = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] red = ctx.allocateFloatLocalArray(GROUP);
        for (int i = lid; i < width; i += GROUP) {
            ql[i] = qFull.get(h * width + i);
        }
        int n = step.get(1) + 1;
        int chunk = (n + splits - 1) / splits;
        int lo = s * chunk;
        int hi = lo + chunk < n ? lo + chunk : n;
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
                    p += ql[i] * cache.get(t * width + i);
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
                if (t0 + k < hi) {
                    float e = TornadoMath.exp(red[k * LANES] * scale - mNew);
                    l += e;
                    int row = (t0 + k) * width;
                    if (i0 < rank) {
                        acc0 += e * cache.get(row + i0);
                    }
                    if (i1 < rank) {
                        acc1 += e * cache.get(row + i1);
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
     * splits ({@code o_lat = Σ_s e^{m_s−M}·acc_s / Σ_s e^{m_s−M}·l_s}) into its own slot of the scratch
     * {@code olat} (a private copy, so no other work-group touches it), then computes
     * {@code o[h·vDim + j] = W_UV,h[j]·o_lat} from {@code vB} ({@code attn_v_b}, {@code [heads·vDim][rank]}).
     */
    public static void combineAndExpand(KernelContext ctx, FloatArray partial, int splits, int rank, FloatArray olat,
                                        IntArray vB, int typeV, int heads, int vDim, FloatArray o) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int group = ctx.groupIdx;
        int h = group * ROWS / vDim;
        float[] weight = ctx.allocateFloatLocalArray(MAX_SPLITS);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int base = h * splits * (rank + 2);
        float big = NEG;
        for (int s = 0; s < splits; s++) {
            big = TornadoMath.max(big, partial.get(base + s * (rank + 2) + rank));
        }
        if (lid < splits) {
            weight[lid] = TornadoMath.exp(partial.get(base + lid * (rank + 2) + rank) - big);
        }
        ctx.localBarrier();
        float total = 0f;
        for (int s = 0; s < splits; s++) {
            total += weight[s] * partial.get(base + s * (rank + 2) + rank + 1);
        }
        for (int i = lid; i < rank; i += GROUP) {
            float v = 0f;
            for (int s = 0; s < splits; s++) {
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
