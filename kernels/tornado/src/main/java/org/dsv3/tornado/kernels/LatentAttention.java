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
 *   <li>{@link #attendShared} (the default) or {@link #attend}: per slice ("split") of the positions and per
 *       group of {@link #HEAD_GROUP} heads (shared) or per head: the new cache row, scores
 *       {@code s·Q_h·K_t}, an online softmax and the weighted sum of latents;</li>
 *   <li>{@link #merge}: the splits merged, once per head, into {@code o_lat[h]};</li>
 *   <li>{@link #expand}: {@code o_h = W_UV,h·o_lat[h]}.</li>
 * </ol>
 * Decode runs the last two as one launch, {@link #mergeExpand}, where the shape fits (every model of the family).
 * The position comes from the device ({@code step[1]}), so the launches never change per token.
 *
 * <h2>Shared cache rows ({@link #attendShared})</h2>
 * In the absorbed form every head scores the same key row {@code K_t = [c_t | k_pe_t]} and sums the same
 * latents {@code c_t}: only the queries {@code Q_h} and the softmax weights differ per head. {@link #attend}
 * runs a work-group per (head, slice), so every head reads (and, with a half format, decodes) the whole
 * cache row again: 16 times per row for V2-Lite, 128 for V3. {@link #attendShared} runs a work-group per
 * (group of {@link #HEAD_GROUP} heads, slice): it stages {@link #SHARED_TILE} rows of its slice once into
 * local memory (coalesced reads, halves decoded once), and scores and sums them for all heads of its group.
 * Work split, per tile of 8 positions × 8 heads, 256 threads:
 * <ul>
 *   <li>scores: 16 "parts" of threads split each 576-wide dot by columns ({@code i ≡ part mod 16}); a thread
 *       keeps a register tile of 2 heads × 2 positions (4 local reads feed 4 multiply–adds), the 16 parts of
 *       the 64 scores meet in local memory;</li>
 *   <li>softmax: one thread per head updates that head's running maximum and sum and turns the tile's scores
 *       into weights {@code e^{s−m}} (and the factor that rescales the older sums);</li>
 *   <li>weighted latents: thread j owns latent columns j and j + 256 for all 8 heads (16 registers), reading
 *       each staged value once for 8 heads.</li>
 * </ul>
 * Output: {@code partial[(h·splits + s)·(rank+2) …]} as {@link #attend} writes it, so {@link #merge} and
 * {@link #expand} are the same for both. Local memory a work-group: queries 8 × 584 floats (a pitch of
 * 576 + 8 puts the two head rows a warp reads in different banks), the row tile 8 × 576, the new row 576,
 * score partials 64 × 17, weights 64 and factors 8: 44,064 bytes, under the 48 KiB of static local memory
 * a CUDA block may have; the same for V2-Lite (16 heads: 2 groups) and V3 (128 heads: 16 groups), since a
 * group has 8 heads whatever the model (all 128 V3 heads at once would need 128 × 576 floats of queries,
 * 295 KB, and 256 accumulators a thread; 16 heads a group already 37 KB of queries beside the 18 KB tile).
 * Cache rows read a token: {@code groups · n} instead of {@code heads · n} (V2-Lite 2n instead of 16n, V3
 * 16n instead of 128n). The launch has {@code headGroups(heads)·splits} work-groups: fewer than
 * {@link #attend}'s {@code heads·splits}, so it wants more slices at long context (tasks' PlanOptions).
 */
public final class LatentAttention {
    /** Widest cache row (c + k_pe) the kernels hold in local memory (every model of the family: 576). */
    public static final int MAX_WIDTH = 576;
    /** Most position slices per head. */
    public static final int MAX_SPLITS = 256;
    /** Heads that share the staged cache rows of one {@link #attendShared} work-group. */
    public static final int HEAD_GROUP = 8;
    /** Cache rows an {@link #attendShared} work-group stages at once. */
    public static final int SHARED_TILE = 8;
    /** Threads that split one score dot product in {@link #attendShared} (GROUP / PARTS = 16 register tiles of 2 × 2). */
    private static final int PARTS = 16;
    /** Row pitch of the staged queries: two head rows 2 apart land 16 banks apart. */
    private static final int QPITCH = MAX_WIDTH + 8;
    /** Pitch of the score partials (one more than {@link #PARTS}: the summing threads read distinct banks). */
    private static final int PPITCH = PARTS + 1;
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

    /** Work-groups per slice of {@link #attendShared}: head groups of {@link #HEAD_GROUP}. */
    public static int headGroups(int heads) {
        return (heads + HEAD_GROUP - 1) / HEAD_GROUP;
    }

    /**
     * {@link #attend}'s result (same arguments, same {@code partial} layout, same new cache row written once)
     * with the heads sharing each cache row: work-group {@code (g, s)} = head group g ({@link #HEAD_GROUP}
     * heads from {@code 8g}), slice s. Launch with {@link #headGroups}{@code (heads)·splits·GROUP} threads.
     * See the class comment for the work split and the local memory budget. Heads past {@code heads} in the
     * last group score against zero queries and are not written.
     */
    public static void attendShared(KernelContext ctx, FloatArray qabs, FloatArray kv, FloatArray kvNorm, float eps,
                                    FloatArray rope, IntArray step, FloatArray cache, IntArray halves, int format,
                                    float scale, FloatArray partial, int heads, int ropeDim, int rank, int splits,
                                    int minChunk) {
        int lid = ctx.localIdx;
        int g = ctx.groupIdx / splits;
        int s = ctx.groupIdx % splits;
        int h0 = g * HEAD_GROUP;
        int width = rank + ropeDim;
        int words = width / 2;
        int pairs = ropeDim / 2;
        boolean packed = CacheFormat.packed(format);
        float[] ql = ctx.allocateFloatLocalArray(HEAD_GROUP * QPITCH);
        float[] kt = ctx.allocateFloatLocalArray(SHARED_TILE * MAX_WIDTH);
        float[] kcur = ctx.allocateFloatLocalArray(MAX_WIDTH);
        float[] red = ctx.allocateFloatLocalArray(HEAD_GROUP * SHARED_TILE * PPITCH);
        float[] pl = ctx.allocateFloatLocalArray(HEAD_GROUP * SHARED_TILE);
        float[] cr = ctx.allocateFloatLocalArray(HEAD_GROUP);
        int pos = step.get(1);
        int angles = pos * ropeDim;
        int n = pos + 1;
        int used = slicesUsed(n, splits, minChunk);
        int chunk = (n + used - 1) / used;
        int lo = s * chunk;
        int hi = lo + chunk < n ? lo + chunk : n;

        // 1. the group's queries (zero for heads past the last)
        for (int idx = lid; idx < HEAD_GROUP * width; idx += GROUP) {
            int h = idx / width;
            int i = idx - h * width;
            ql[h * QPITCH + i] = h0 + h < heads ? qabs.get((h0 + h) * width + i) : 0f;
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
        if (g == 0 && lo <= pos && pos < hi) {
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

        // 3. the slice, SHARED_TILE rows at a time. Score tile of this thread: heads 2hp, 2hp+1 of the group,
        //    tile rows 2tp, 2tp+1, columns part, part + PARTS, …
        int part = lid & (PARTS - 1);
        int blk = lid / PARTS;
        int hp = blk & 3;
        int tp = blk >> 2;
        int qa = 2 * hp * QPITCH;
        int ka = 2 * tp * MAX_WIDTH;
        int oa = (2 * hp * SHARED_TILE + 2 * tp) * PPITCH + part;
        // softmax state of head lid (threads lid < HEAD_GROUP)
        float m = NEG;
        float l = 0f;
        // latent columns i0 = lid and i1 = lid + GROUP of the 8 heads
        int i0 = lid;
        int i1 = lid + GROUP;
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, a4 = 0f, a5 = 0f, a6 = 0f, a7 = 0f;
        float b0 = 0f, b1 = 0f, b2 = 0f, b3 = 0f, b4 = 0f, b5 = 0f, b6 = 0f, b7 = 0f;
        for (int t0 = lo; t0 < hi; t0 += SHARED_TILE) {
            ctx.localBarrier();
            // stage the tile's rows (float32, halves decoded; the current position from kcur; zeros past hi)
            if (packed) {
                for (int idx = lid; idx < SHARED_TILE * words; idx += GROUP) {
                    int k = idx / words;
                    int w = idx - k * words;
                    int t = t0 + k;
                    float x = 0f;
                    float y = 0f;
                    if (t < hi) {
                        if (t == pos) {
                            x = kcur[2 * w];
                            y = kcur[2 * w + 1];
                        } else {
                            int word = halves.get(t * words + w);
                            x = CacheFormat.decode(format, CacheFormat.low(word));
                            y = CacheFormat.decode(format, CacheFormat.high(word));
                        }
                    }
                    kt[k * MAX_WIDTH + 2 * w] = x;
                    kt[k * MAX_WIDTH + 2 * w + 1] = y;
                }
            } else {
                for (int idx = lid; idx < SHARED_TILE * width; idx += GROUP) {
                    int k = idx / width;
                    int i = idx - k * width;
                    int t = t0 + k;
                    float x = 0f;
                    if (t < hi) {
                        x = t == pos ? kcur[i] : cache.get(t * width + i);
                    }
                    kt[k * MAX_WIDTH + i] = x;
                }
            }
            ctx.localBarrier();
            // scores: this thread's columns of its 2 × 2 (head, row) dots
            float s00 = 0f;
            float s01 = 0f;
            float s10 = 0f;
            float s11 = 0f;
            for (int i = part; i < width; i += PARTS) {
                float q0 = ql[qa + i];
                float q1 = ql[qa + QPITCH + i];
                float k0 = kt[ka + i];
                float k1 = kt[ka + MAX_WIDTH + i];
                s00 += q0 * k0;
                s01 += q0 * k1;
                s10 += q1 * k0;
                s11 += q1 * k1;
            }
            red[oa] = s00;
            red[oa + PPITCH] = s01;
            red[oa + SHARED_TILE * PPITCH] = s10;
            red[oa + (SHARED_TILE + 1) * PPITCH] = s11;
            ctx.localBarrier();
            // score (h, k) = Σ of its parts, at pl[h·SHARED_TILE + k]
            if (lid < HEAD_GROUP * SHARED_TILE) {
                float v = 0f;
                for (int p = 0; p < PARTS; p++) {
                    v += red[lid * PPITCH + p];
                }
                pl[lid] = v * scale;
            }
            ctx.localBarrier();
            // online softmax of head lid over the tile: weights e^{s − m} and the factor for the older sums
            if (lid < HEAD_GROUP) {
                int base = lid * SHARED_TILE;
                float mNew = m;
                for (int k = 0; k < SHARED_TILE; k++) {
                    if (t0 + k < hi) {
                        mNew = TornadoMath.max(mNew, pl[base + k]);
                    }
                }
                float corr = TornadoMath.exp(m - mNew);
                l *= corr;
                for (int k = 0; k < SHARED_TILE; k++) {
                    float e = t0 + k < hi ? TornadoMath.exp(pl[base + k] - mNew) : 0f;
                    pl[base + k] = e;
                    l += e;
                }
                cr[lid] = corr;
                m = mNew;
            }
            ctx.localBarrier();
            // weighted latents: columns i0, i1 of every head (rows past hi weigh 0 and are staged as 0)
            a0 *= cr[0];
            a1 *= cr[1];
            a2 *= cr[2];
            a3 *= cr[3];
            a4 *= cr[4];
            a5 *= cr[5];
            a6 *= cr[6];
            a7 *= cr[7];
            b0 *= cr[0];
            b1 *= cr[1];
            b2 *= cr[2];
            b3 *= cr[3];
            b4 *= cr[4];
            b5 *= cr[5];
            b6 *= cr[6];
            b7 *= cr[7];
            for (int k = 0; k < SHARED_TILE; k++) {
                float x = kt[k * MAX_WIDTH + i0];
                float y = kt[k * MAX_WIDTH + i1];
                float e0 = pl[k];
                float e1 = pl[SHARED_TILE + k];
                float e2 = pl[2 * SHARED_TILE + k];
                float e3 = pl[3 * SHARED_TILE + k];
                float e4 = pl[4 * SHARED_TILE + k];
                float e5 = pl[5 * SHARED_TILE + k];
                float e6 = pl[6 * SHARED_TILE + k];
                float e7 = pl[7 * SHARED_TILE + k];
                a0 += e0 * x;
                a1 += e1 * x;
                a2 += e2 * x;
                a3 += e3 * x;
                a4 += e4 * x;
                a5 += e5 * x;
                a6 += e6 * x;
                a7 += e7 * x;
                b0 += e0 * y;
                b1 += e1 * y;
                b2 += e2 * y;
                b3 += e3 * y;
                b4 += e4 * y;
                b5 += e5 * y;
                b6 += e6 * y;
                b7 += e7 * y;
            }
        }

        // 4. the partials of the group's heads, as attend writes them
        int stride = splits * (rank + 2);
        int out = (h0 * splits + s) * (rank + 2);
        putColumns(partial, out, stride, 0, h0, heads, i0, i1, rank, a0, b0);
        putColumns(partial, out, stride, 1, h0, heads, i0, i1, rank, a1, b1);
        putColumns(partial, out, stride, 2, h0, heads, i0, i1, rank, a2, b2);
        putColumns(partial, out, stride, 3, h0, heads, i0, i1, rank, a3, b3);
        putColumns(partial, out, stride, 4, h0, heads, i0, i1, rank, a4, b4);
        putColumns(partial, out, stride, 5, h0, heads, i0, i1, rank, a5, b5);
        putColumns(partial, out, stride, 6, h0, heads, i0, i1, rank, a6, b6);
        putColumns(partial, out, stride, 7, h0, heads, i0, i1, rank, a7, b7);
        if (lid < HEAD_GROUP && h0 + lid < heads) {
            partial.set(out + lid * stride + rank, m);
            partial.set(out + lid * stride + rank + 1, l);
        }
    }

    /** Columns i0, i1 of head {@code h0 + h}'s partial sum (when that head exists and the columns are latent). */
    private static void putColumns(FloatArray partial, int out, int stride, int h, int h0, int heads, int i0, int i1,
                                   int rank, float a, float b) {
        if (h0 + h < heads) {
            if (i0 < rank) {
                partial.set(out + h * stride + i0, a);
            }
            if (i1 < rank) {
                partial.set(out + h * stride + i1, b);
            }
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
     * Lanes a row of {@link #mergeExpand}: 8 rows a work-group, vDim/8 work-groups redoing each head's merge (cheap: a
     * few slices at short context). With 8 lanes (32 rows, 64 work-groups for V2-Lite) the launch took 11.7 µs on the
     * H200 (ncu, 2026-12-04), too few work-groups for the device.
     */
    public static final int EXPAND_LANES = 32;
    private static final int EXPAND_ROWS = GROUP / EXPAND_LANES;

    /** Whether {@link #mergeExpand} fits the shape: its work-groups' rows within one head, two latent columns a thread. */
    public static boolean mergeExpandFits(int vDim, int rank) {
        return vDim % EXPAND_ROWS == 0 && rank <= 2 * GROUP;
    }

    /** Work-groups of {@link #mergeExpand}. */
    public static int mergeExpandGroups(int heads, int vDim) {
        return heads * vDim / EXPAND_ROWS;
    }

    /**
     * {@link #merge} and {@link #expand} in one launch ({@link #mergeExpandGroups}{@code ·GROUP} threads, where
     * {@link #mergeExpandFits}): work-group g takes {@code GROUP/EXPAND_LANES} rows of {@code o}, all of one head h. It first
     * merges head h's slices (the split softmax of docs/architecture.md §3.3, as {@link #merge}; each thread two latent
     * columns, two slices a step so that four loads are in flight) into its own {@code rank} values of {@code merged}
     * (from {@code g·rank}: no other work-group writes them), then, after a barrier that orders those global writes
     * for the whole group, multiplies its rows of {@code W_UV,h} with them, {@link #EXPAND_LANES} lanes a row.
     */
    public static void mergeExpand(KernelContext ctx, FloatArray partial, IntArray step, int splits, int minChunk,
                                   IntArray vB, int typeV, int heads, int vDim, int rank, FloatArray merged, FloatArray o) {
        int lid = ctx.localIdx;
        int first = ctx.groupIdx * EXPAND_ROWS;
        int h = first / vDim;
        int at = ctx.groupIdx * rank;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int used = slicesUsed(step.get(1) + 1, splits, minChunk);
        int pitch = rank + 2;
        int base = h * splits * pitch;
        float big = NEG;
        for (int s = 0; s < used; s++) {
            big = TornadoMath.max(big, partial.get(base + s * pitch + rank));
        }
        // the thread's columns, clamped into the row for the reads (a rank under GROUP leaves threads without one)
        int i0 = lid < rank ? lid : rank - 1;
        int i1 = lid + GROUP < rank ? lid + GROUP : i0;
        float total = 0f;
        float v0 = 0f;
        float v1 = 0f;
        int s = 0;
        for (; s + 1 < used; s += 2) {
            int a = base + s * pitch;
            int b = a + pitch;
            float wa = TornadoMath.exp(partial.get(a + rank) - big);
            float wb = TornadoMath.exp(partial.get(b + rank) - big);
            total += wa * partial.get(a + rank + 1) + wb * partial.get(b + rank + 1);
            v0 += wa * partial.get(a + i0) + wb * partial.get(b + i0);
            v1 += wa * partial.get(a + i1) + wb * partial.get(b + i1);
        }
        if (s < used) {
            int a = base + s * pitch;
            float wa = TornadoMath.exp(partial.get(a + rank) - big);
            total += wa * partial.get(a + rank + 1);
            v0 += wa * partial.get(a + i0);
            v1 += wa * partial.get(a + i1);
        }
        if (lid < rank) {
            merged.set(at + i0, v0 / total);
        }
        if (lid + GROUP < rank) {
            merged.set(at + i1, v1 / total);
        }
        ctx.globalBarrier();
        int lane = lid & (EXPAND_LANES - 1);
        int r = first + lid / EXPAND_LANES;
        part[lid] = BlockDot.row(typeV, vB, r * WeightType.rowBytes(typeV, rank), rank, merged, at, lane, EXPAND_LANES);
        for (int stride = EXPAND_LANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0) {
            o.set(r, part[lid]);
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
