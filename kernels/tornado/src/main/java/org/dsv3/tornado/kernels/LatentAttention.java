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
 * array per block, in float32 or packed half precision ({@link CacheFormat}). Four launches:
 * <ol>
 *   <li>{@link #absorb}: the absorbed query of every head, {@code Q_h = [W_UK,hᵀ·q_nope,h | RoPE(q_pe,h)]}
 *       (576 wide), computed once and kept in {@code qabs};</li>
 *   <li>{@link #attend}: per head and per slice ("split") of the positions: the new cache row, scores
 *       {@code s·Q_h·K_t}, an online softmax and the weighted sum of latents;</li>
 *   <li>{@link #merge}: the splits merged, once per head, into {@code o_lat[h]};</li>
 *   <li>{@link #expand}: {@code o_h = W_UV,h·o_lat[h]}.</li>
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
    /** Positions scored at once by an {@link #attend} work-group (one per 32-lane warp). */
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
     * Scores, softmax and weighted latent sum of one head over one slice of the positions, with the new
     * cache row computed in the same launch. Launch with {@code heads·splits·GROUP} threads; work-group
     * {@code (h, s)}. Only the first {@link #slicesUsed}{@code (pos+1, splits, minChunk)} slices of a head
     * hold positions; the others write an empty result (maximum −1e30, sum 0), which the merge weighs as 0.
     * <ol>
     *   <li>the head's absorbed query ({@link #absorb}) into local memory;</li>
     *   <li>the new key row {@code [RMSNorm(c) | RoPE(k_pe)]} from {@code kv} (cheap, so every group computes
     *       it: no barrier sits in a branch), used from local memory; the group of head 0 whose slice holds
     *       the current position also appends it to {@code cache};</li>
     *   <li>{@link #TILE} positions at a time (one per 32-lane warp, the lanes across the row, three loads in
     *       flight per lane), {@code s·Q·K_t}, an online softmax and the weighted sum of latents (each thread
     *       two latent columns); writes {@code partial[(h·splits + s)·(rank+2) …]}: the unnormalised sum, the
     *       running maximum score and the sum of exponentials.</li>
     * </ol>
     * The cache is {@code cache} (float32) or {@code halves} (F16/BF16, two values a word) as {@code format}
     * ({@link CacheFormat}) says; the other array is an unused stand-in. With a half format the new row is
     * rounded to it before use, so the current position scores exactly what later tokens will read back.
     */
    public static void attend(KernelContext ctx, FloatArray qabs, FloatArray kv, FloatArray kvNorm, float eps,
                              FloatArray rope, IntArray step, FloatArray cache, IntArray halves, int format, float scale,
                              FloatArray partial, int heads, int ropeDim, int rank, int splits, int minChunk) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int warp = lid / LANES;
        int h = ctx.groupIdx / splits;
        int s = ctx.groupIdx % splits;
        int width = rank + ropeDim;
        int words = width / 2;
        int pairs = ropeDim / 2;
        boolean packed = CacheFormat.packed(format);
        float[] ql = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] kcur = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] red = ctx.allocateFloatLocalArray(GROUP);
        int pos = step.get(1);
        int angles = pos * ropeDim;
        int n = pos + 1;
        int used = slicesUsed(n, splits, minChunk);
        int chunk = (n + used - 1) / used;
        int lo = s * chunk;
        int hi = lo + chunk < n ? lo + chunk : n;

        // 1. the head's query
        for (int i = lid; i < width; i += GROUP) {
            ql[i] = qabs.get(h * width + i);
        }

        // 2. the new cache row, rounded to the cache's format (the current position reads it from here)
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
            kcur[i] = CacheFormat.round(format, kvNorm.get(i) * (kv.get(i) * inv));
        }
        if (lid < pairs) {
            float cos = rope.get(angles + lid);
            float sin = rope.get(angles + pairs + lid);
            float a = kv.get(rank + 2 * lid);
            float b = kv.get(rank + 2 * lid + 1);
            kcur[rank + 2 * lid] = CacheFormat.round(format, a * cos - b * sin);
            kcur[rank + 2 * lid + 1] = CacheFormat.round(format, a * sin + b * cos);
        }
        ctx.localBarrier();
        if (h == 0 && lo <= pos && pos < hi) {
            if (packed) {
                for (int w = lid; w < words; w += GROUP) {
                    halves.set(pos * words + w, CacheFormat.pack(format, kcur[2 * w], kcur[2 * w + 1]));
                }
            } else {
                for (int i = lid; i < width; i += GROUP) {
                    cache.set(pos * width + i, kcur[i]);
                }
            }
        }

        // 3. online softmax over the slice, TILE positions at a time
        float m = NEG;
        float l = 0f;
        float acc0 = 0f;
        float acc1 = 0f;
        // the thread's two latent columns: i0, i0 + GROUP (float32), or the halves of word lid (packed)
        int i0 = packed ? 2 * lid : lid;
        int i1 = packed ? 2 * lid + 1 : lid + GROUP;
        for (int t0 = lo; t0 < hi; t0 += TILE) {
            ctx.localBarrier();
            int t = t0 + warp;
            float p0 = 0f;
            float p1 = 0f;
            float p2 = 0f;
            if (t < hi) {
                if (t == pos) {
                    for (int i = lane; i < width; i += LANES) {
                        p0 += ql[i] * kcur[i];
                    }
                } else if (packed) {
                    // a lane reads words (two values each), neighbouring lanes neighbouring words
                    int k0 = t * words;
                    int w = lane;
                    for (; w + 2 * LANES < words; w += 3 * LANES) {
                        int ka = halves.get(k0 + w);
                        int kb = halves.get(k0 + w + LANES);
                        int kc = halves.get(k0 + w + 2 * LANES);
                        p0 += ql[2 * w] * CacheFormat.decode(format, CacheFormat.low(ka))
                                + ql[2 * w + 1] * CacheFormat.decode(format, CacheFormat.high(ka));
                        p1 += ql[2 * (w + LANES)] * CacheFormat.decode(format, CacheFormat.low(kb))
                                + ql[2 * (w + LANES) + 1] * CacheFormat.decode(format, CacheFormat.high(kb));
                        p2 += ql[2 * (w + 2 * LANES)] * CacheFormat.decode(format, CacheFormat.low(kc))
                                + ql[2 * (w + 2 * LANES) + 1] * CacheFormat.decode(format, CacheFormat.high(kc));
                    }
                    for (; w < words; w += LANES) {
                        int kw = halves.get(k0 + w);
                        p0 += ql[2 * w] * CacheFormat.decode(format, CacheFormat.low(kw))
                                + ql[2 * w + 1] * CacheFormat.decode(format, CacheFormat.high(kw));
                    }
                } else {
                    int k0 = t * width;
                    int i = lane;
                    for (; i + 2 * LANES < width; i += 3 * LANES) {
                        float ka = cache.get(k0 + i);
                        float kb = cache.get(k0 + i + LANES);
                        float kc = cache.get(k0 + i + 2 * LANES);
                        p0 += ql[i] * ka;
                        p1 += ql[i + LANES] * kb;
                        p2 += ql[i + 2 * LANES] * kc;
                    }
                    for (; i < width; i += LANES) {
                        p0 += ql[i] * cache.get(k0 + i);
                    }
                }
            }
            red[lid] = p0 + p1 + p2;
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
            // the tile's latent columns i0, i1 two positions at a time (four loads in flight, two if packed)
            for (int k = 0; k < TILE; k += 2) {
                int ta = t0 + k;
                int tb = ta + 1;
                float ea = ta < hi ? TornadoMath.exp(red[k * LANES] * scale - mNew) : 0f;
                float eb = tb < hi ? TornadoMath.exp(red[(k + 1) * LANES] * scale - mNew) : 0f;
                int rowA = ta < hi ? ta : lo;
                int rowB = tb < hi ? tb : lo;
                float a0 = 0f;
                float b0 = 0f;
                float a1 = 0f;
                float b1 = 0f;
                if (packed) {
                    if (i1 < rank) {
                        int wa = rowA == pos ? 0 : halves.get(rowA * words + lid);
                        int wb = rowB == pos ? 0 : halves.get(rowB * words + lid);
                        a0 = rowA == pos ? kcur[i0] : CacheFormat.decode(format, CacheFormat.low(wa));
                        a1 = rowA == pos ? kcur[i1] : CacheFormat.decode(format, CacheFormat.high(wa));
                        b0 = rowB == pos ? kcur[i0] : CacheFormat.decode(format, CacheFormat.low(wb));
                        b1 = rowB == pos ? kcur[i1] : CacheFormat.decode(format, CacheFormat.high(wb));
                    }
                } else {
                    int ra = rowA * width;
                    int rb = rowB * width;
                    a0 = i0 < rank ? (rowA == pos ? kcur[i0] : cache.get(ra + i0)) : 0f;
                    b0 = i0 < rank ? (rowB == pos ? kcur[i0] : cache.get(rb + i0)) : 0f;
                    a1 = i1 < rank ? (rowA == pos ? kcur[i1] : cache.get(ra + i1)) : 0f;
                    b1 = i1 < rank ? (rowB == pos ? kcur[i1] : cache.get(rb + i1)) : 0f;
                }
                l += ea + eb;
                acc0 += ea * a0 + eb * b0;
                acc1 += ea * a1 + eb * b1;
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

    /** Work-groups of {@link #merge}: one thread per latent column of every head. */
    public static int mergeGroups(int heads, int rank) {
        return (heads * rank + GROUP - 1) / GROUP;
    }

    /**
     * The slices {@link #attend} used, merged once per head: {@code olat[h·rank + i] = Σ_s e^{m_s−M}·acc_s[i] /
     * Σ_s e^{m_s−M}·l_s} with {@code M = max_s m_s} (the split softmax of docs/architecture.md §3.3). Launch
     * with {@link #mergeGroups}{@code ·GROUP} threads, one per {@code (h, i)}; the threads of a head read the
     * same {@code m_s, l_s} (one broadcast load each) and neighbouring columns of every slice.
     */
    public static void merge(KernelContext ctx, FloatArray partial, IntArray step, int splits, int minChunk, int rank,
                             int heads, FloatArray olat) {
        int g = ctx.globalIdx;
        if (g < heads * rank) {
            int h = g / rank;
            int i = g - h * rank;
            int used = slicesUsed(step.get(1) + 1, splits, minChunk);
            int base = h * splits * (rank + 2);
            float big = NEG;
            for (int s = 0; s < used; s++) {
                big = TornadoMath.max(big, partial.get(base + s * (rank + 2) + rank));
            }
            float total = 0f;
            float v = 0f;
            for (int s = 0; s < used; s++) {
                int at = base + s * (rank + 2);
                float w = TornadoMath.exp(partial.get(at + rank) - big);
                total += w * partial.get(at + rank + 1);
                v += w * partial.get(at + i);
            }
            olat.set(g, v / total);
        }
    }

    /**
     * {@code o[h·vDim + j] = W_UV,h[j]·olat[h·rank …]} from {@code vB} ({@code attn_v_b}, {@code [heads·vDim][rank]}):
     * a plain matvec whose input vector moves to the next head every {@code vDim} rows. Launch with
     * {@code groups(heads·vDim)·GROUP} threads ({@code vDim} a multiple of {@link MatVec#ROWS}).
     */
    public static void expand(KernelContext ctx, FloatArray olat, IntArray vB, int typeV, int heads, int vDim, int rank,
                              FloatArray o, int lanes) {
        int lid = ctx.localIdx;
        int lane = lid & (lanes - 1);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int r = ctx.groupIdx * (GROUP / lanes) + lid / lanes;
        float dot = 0f;
        if (r < heads * vDim) {
            dot = BlockDot.row(typeV, vB, r * WeightType.rowBytes(typeV, rank), rank, olat, (r / vDim) * rank, lane, lanes);
        }
        part[lid] = dot;
        for (int stride = lanes / 2; stride > 0; stride >>= 1) {
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
