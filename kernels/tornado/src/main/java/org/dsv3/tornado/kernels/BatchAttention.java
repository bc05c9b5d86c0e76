package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Multi-head latent attention (weight-absorbed form, docs/architecture.md §3.3) for a batch of tokens at
 * positions {@code p0 … p0+n−1} ({@code info = [n, p0, …]}), over the same per-block latent cache as the
 * decode kernels ({@link LatentAttention}): rows {@code [c (rank) | k_pe (ropeDim)]}, width W, in {@code cache}
 * (float32) or packed two values a word in {@code halves} (F16/BF16) as {@code format} ({@link CacheFormat}) says;
 * the other array is an unused stand-in.
 * <ol>
 *   <li>{@link #prepare}: per token, the new cache row {@code [RMSNorm(c) | RoPE(k_pe)]} at its position, and
 *       the rotated {@code q_pe} of every head into the absorbed query {@code qa[t][h] = [q_abs | RoPE(q_pe)]}
 *       (its {@code q_abs} part is a batched product, {@link BatchMatMul});</li>
 *   <li>{@link #attend}: per token and head, causal attention over positions {@code 0 … p0+t} (online
 *       softmax), the normalised latent sum {@code o_lat[t][h]}.</li>
 * </ol>
 */
public final class BatchAttention {
    public static final int GROUP = 256;
    private static final float NEG = -1e30f;

    private BatchAttention() {
    }

    /**
     * One work-group per token. {@code kv} holds each token's {@code [c | k_pe]} (pitch {@code rank+ropeDim}),
     * {@code q} its query {@code [heads][nope + ropeDim]}; {@code rope} per position {@code ropeDim/2} cosines
     * then sines (NORM pairs, as the decode kernel rotates them).
     */
    public static void prepare(KernelContext ctx, IntArray info, FloatArray q, FloatArray kv, FloatArray kvNorm, float eps,
                               FloatArray rope, FloatArray cache, IntArray halves, int format, FloatArray qa, int heads,
                               int nope, int ropeDim, int rank) {
        int lid = ctx.localIdx;
        int t = ctx.groupIdx;
        int width = rank + ropeDim;
        int words = width / 2;
        int qk = nope + ropeDim;
        int pairs = ropeDim / 2;
        boolean packed = CacheFormat.packed(format);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int n = info.get(0);
        int pos = info.get(1) + t;
        int count = t < n ? rank : 0;
        float ss = 0f;
        for (int i = lid; i < count; i += GROUP) {
            float v = kv.get(t * width + i);
            ss += v * v;
        }
        part[lid] = ss;
        for (int s = GROUP / 2; s > 0; s >>= 1) {
            ctx.localBarrier();
            if (lid < s) {
                part[lid] += part[lid + s];
            }
        }
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(part[0] / rank + eps);
        if (packed) {
            // word w holds latent values 2w and 2w+1
            for (int w = lid; w < count / 2; w += GROUP) {
                float a = kvNorm.get(2 * w) * (kv.get(t * width + 2 * w) * inv);
                float b = kvNorm.get(2 * w + 1) * (kv.get(t * width + 2 * w + 1) * inv);
                halves.set(pos * words + w, CacheFormat.pack(format, a, b));
            }
        } else {
            for (int i = lid; i < count; i += GROUP) {
                cache.set(pos * width + i, kvNorm.get(i) * (kv.get(t * width + i) * inv));
            }
        }
        int angles = pos * ropeDim;
        if (t < n && lid < pairs) {
            float cos = rope.get(angles + lid);
            float sin = rope.get(angles + pairs + lid);
            float a = kv.get(t * width + rank + 2 * lid);
            float b = kv.get(t * width + rank + 2 * lid + 1);
            float ra = a * cos - b * sin;
            float rb = a * sin + b * cos;
            if (packed) {
                // a rotated pair is one word (rank is even)
                halves.set(pos * words + rank / 2 + lid, CacheFormat.pack(format, ra, rb));
            } else {
                cache.set(pos * width + rank + 2 * lid, ra);
                cache.set(pos * width + rank + 2 * lid + 1, rb);
            }
        }
        int rotations = t < n ? heads * pairs : 0;
        for (int idx = lid; idx < rotations; idx += GROUP) {
            int h = idx / pairs;
            int j = idx % pairs;
            float cos = rope.get(angles + j);
            float sin = rope.get(angles + pairs + j);
            float a = q.get((t * heads + h) * qk + nope + 2 * j);
            float b = q.get((t * heads + h) * qk + nope + 2 * j + 1);
            qa.set((t * heads + h) * width + rank + 2 * j, a * cos - b * sin);
            qa.set((t * heads + h) * width + rank + 2 * j + 1, a * sin + b * cos);
        }
    }

    /**
     * One work-group per (token t, head h), group {@code t·heads + h}: scores {@code scale·qa[t][h]·K_j} for
     * {@code j ≤ p0+t}, {@link #GROUP} positions at a time (thread i scores position {@code j0+i} on its own,
     * so a round costs three barriers, not a reduction per position), an online softmax, and the weighted
     * latent sum (thread i holds latent values i and i+GROUP), written normalised to {@code ol[(t·heads + h)·rank …]}.
     */
    public static void attend(KernelContext ctx, IntArray info, FloatArray qa, FloatArray cache, IntArray halves, int format,
                              float scale, FloatArray ol, int heads, int rank, int ropeDim) {
        int lid = ctx.localIdx;
        int t = ctx.groupIdx / heads;
        int width = rank + ropeDim;
        int words = width / 2;
        boolean packed = CacheFormat.packed(format);
        float[] ql = ctx.allocateFloatLocalArray(LatentAttention.MAX_WIDTH);
        float[] score = ctx.allocateFloatLocalArray(GROUP);
        float[] weight = ctx.allocateFloatLocalArray(GROUP);
        int n = info.get(0);
        int hi = t < n ? info.get(1) + t + 1 : 0;
        int qAt = ctx.groupIdx * width;
        for (int i = lid; i < width; i += GROUP) {
            ql[i] = t < n ? qa.get(qAt + i) : 0f;
        }
        float m = NEG;
        float l = 0f;
        float acc0 = 0f;
        float acc1 = 0f;
        // the thread's two latent columns: i0, i0 + GROUP (float32), or the halves of word lid (packed)
        int i0 = packed ? 2 * lid : lid;
        int i1 = packed ? 2 * lid + 1 : lid + GROUP;
        for (int j0 = 0; j0 < hi; j0 += GROUP) {
            ctx.localBarrier();
            int j = j0 + lid;
            float p = NEG;
            if (j < hi) {
                float dot = 0f;
                if (packed) {
                    for (int w = 0; w < words; w++) {
                        int kw = halves.get(j * words + w);
                        dot += ql[2 * w] * CacheFormat.decode(format, CacheFormat.low(kw))
                                + ql[2 * w + 1] * CacheFormat.decode(format, CacheFormat.high(kw));
                    }
                } else {
                    for (int i = 0; i < width; i++) {
                        dot += ql[i] * cache.get(j * width + i);
                    }
                }
                p = dot * scale;
            }
            score[lid] = p;
            ctx.localBarrier();
            int count = hi - j0 < GROUP ? hi - j0 : GROUP;
            float mNew = m;
            for (int k = 0; k < count; k++) {
                mNew = TornadoMath.max(mNew, score[k]);
            }
            weight[lid] = lid < count ? TornadoMath.exp(p - mNew) : 0f;
            ctx.localBarrier();
            float corr = TornadoMath.exp(m - mNew);
            l *= corr;
            acc0 *= corr;
            acc1 *= corr;
            for (int k = 0; k < count; k++) {
                float e = weight[k];
                l += e;
                if (packed) {
                    if (i1 < rank) {
                        int kw = halves.get((j0 + k) * words + lid);
                        acc0 += e * CacheFormat.decode(format, CacheFormat.low(kw));
                        acc1 += e * CacheFormat.decode(format, CacheFormat.high(kw));
                    }
                } else {
                    if (i0 < rank) {
                        acc0 += e * cache.get((j0 + k) * width + i0);
                    }
                    if (i1 < rank) {
                        acc1 += e * cache.get((j0 + k) * width + i1);
                    }
                }
            }
            m = mNew;
        }
        int out = ctx.groupIdx * rank;
        if (t < n && i0 < rank) {
            ol.set(out + i0, acc0 / l);
        }
        if (t < n && i1 < rank) {
            ol.set(out + i1, acc1 / l);
        }
    }
}
