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
 *   <li>{@link #attend}: per token and group of 8 heads, causal attention over positions {@code 0 … p0+t}
 *       (online softmax), the normalised latent sums {@code o_lat[t][h]}.</li>
 * </ol>
 */
public final class BatchAttention {
    public static final int GROUP = 256;
    /** Heads of one {@link #attend} work-group, and positions a round (one (head, position) pair a thread). */
    public static final int HEADS_PER_GROUP = 8;
    private static final int CHUNK = GROUP / HEADS_PER_GROUP;
    /** Row pitch of the queries in local memory: one more than a row, so 8 heads' values fall in 8 banks. */
    private static final int Q_PITCH = LatentAttention.MAX_WIDTH + 1;
    private static final float NEG = -1e30f;
    /** Columns of the chunk's rows staged at a time for the scores (576-wide rows: 9 slices). */
    private static final int SLICE = 64;
    /** Row pitch of the staged slice: one more than a slice, so that a warp's 4 rows fall in different banks. */
    private static final int K_PITCH = SLICE + 1;

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
     * Work-groups of {@link #attend} for {@code tokens} tokens of {@code heads} heads: one per token and
     * group of {@link #HEADS_PER_GROUP} heads.
     */
    public static int attendGroups(int tokens, int heads) {
        return tokens * ((heads + HEADS_PER_GROUP - 1) / HEADS_PER_GROUP);
    }

    /**
     * One work-group per token t and group of {@link #HEADS_PER_GROUP} heads {@code h0 …} (group {@code
     * t·headGroups + h0/8}): the heads of a token attend over the same latent rows (MLA shares one cache row
     * among all heads), so each row the group reads serves its 8 heads, instead of being read once per head.
     * Positions {@code j ≤ p0+t} go {@link #CHUNK} at a time through three phases:
     * <ol>
     *   <li>scores: thread (h = lid % 8, jj = lid / 8) computes {@code scale·qa[t][h0+h]·K_{j0+jj}} (8 heads ×
     *       32 positions a round), the chunk's rows staged {@link #SLICE} columns at a time in local memory by the
 *       whole work-group (coalesced reads; a warp's 4 rows and its 8 heads' queries then fall in distinct banks);</li>
     *   <li>an online softmax per head (threads 0…7 keep each head's running maximum and sum; every thread
     *       turns the scores into weights {@code exp(s − max)} in place);</li>
     *   <li>values: thread i holds latent columns i and i+GROUP (or the halves of cache word i) of all 8 heads
     *       (16 accumulators), rescaled by each head's correction, and adds the chunk's weighted rows, each
     *       value read once for the 8 heads.</li>
     * </ol>
     * Writes the normalised sums to {@code ol[(t·heads + h)·rank …]}.
     */
    public static void attend(KernelContext ctx, IntArray info, FloatArray qa, FloatArray cache, IntArray halves, int format,
                              float scale, FloatArray ol, int heads, int rank, int ropeDim) {
        int lid = ctx.localIdx;
        int headGroups = (heads + HEADS_PER_GROUP - 1) / HEADS_PER_GROUP;
        int t = ctx.groupIdx / headGroups;
        int h0 = (ctx.groupIdx - t * headGroups) * HEADS_PER_GROUP;
        int width = rank + ropeDim;
        int words = width / 2;
        boolean packed = CacheFormat.packed(format);
        float[] ql = ctx.allocateFloatLocalArray(HEADS_PER_GROUP * Q_PITCH);
        // [head][position] of the chunk: the scores, then (in place) the softmax weights
        float[] score = ctx.allocateFloatLocalArray(GROUP);
        float[] ks = ctx.allocateFloatLocalArray(CHUNK * K_PITCH);
        float[] runMax = ctx.allocateFloatLocalArray(HEADS_PER_GROUP);
        float[] runSum = ctx.allocateFloatLocalArray(HEADS_PER_GROUP);
        float[] corr = ctx.allocateFloatLocalArray(HEADS_PER_GROUP);
        int n = info.get(0);
        int hi = t < n ? info.get(1) + t + 1 : 0;
        for (int i = lid; i < HEADS_PER_GROUP * width; i += GROUP) {
            int hh = i / width;
            int col = i - hh * width;
            float v = 0f;
            if (t < n && h0 + hh < heads) {
                v = qa.get((t * heads + h0 + hh) * width + col);
            }
            ql[hh * Q_PITCH + col] = v;
        }
        if (lid < HEADS_PER_GROUP) {
            runMax[lid] = NEG;
            runSum[lid] = 0f;
        }
        int hs = lid & (HEADS_PER_GROUP - 1);
        int js = lid / HEADS_PER_GROUP;
        int qAt = hs * Q_PITCH;
        boolean scoring = h0 + hs < heads;
        // the thread's two latent columns: i0, i0 + GROUP (float32), or the halves of word lid (packed)
        int i0 = packed ? 2 * lid : lid;
        int i1 = packed ? 2 * lid + 1 : lid + GROUP;
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, a4 = 0f, a5 = 0f, a6 = 0f, a7 = 0f;
        float b0 = 0f, b1 = 0f, b2 = 0f, b3 = 0f, b4 = 0f, b5 = 0f, b6 = 0f, b7 = 0f;
        for (int j0 = 0; j0 < hi; j0 += CHUNK) {
            int j = j0 + js;
            // scores over column slices of the chunk's rows staged in local memory: a warp then reads each
            // row once, coalesced, instead of four rows a load a column at a time
            float dot = 0f;
            for (int s0 = 0; s0 < width; s0 += SLICE) {
                ctx.localBarrier();
                if (packed) {
                    for (int idx = lid; idx < CHUNK * SLICE / 2; idx += GROUP) {
                        int jj = idx / (SLICE / 2);
                        int col = 2 * (idx - jj * (SLICE / 2));
                        float lo = 0f;
                        float hiValue = 0f;
                        if (j0 + jj < hi && s0 + col < width) {
                            int kw = halves.get((j0 + jj) * words + (s0 + col) / 2);
                            lo = CacheFormat.decode(format, CacheFormat.low(kw));
                            hiValue = CacheFormat.decode(format, CacheFormat.high(kw));
                        }
                        ks[jj * K_PITCH + col] = lo;
                        ks[jj * K_PITCH + col + 1] = hiValue;
                    }
                } else {
                    for (int idx = lid; idx < CHUNK * SLICE; idx += GROUP) {
                        int jj = idx / SLICE;
                        int col = idx - jj * SLICE;
                        float v = 0f;
                        if (j0 + jj < hi && s0 + col < width) {
                            v = cache.get((j0 + jj) * width + s0 + col);
                        }
                        ks[jj * K_PITCH + col] = v;
                    }
                }
                ctx.localBarrier();
                int cols = width - s0 < SLICE ? width - s0 : SLICE;
                if (j < hi && scoring) {
                    for (int c = 0; c < cols; c++) {
                        dot += ql[qAt + s0 + c] * ks[js * K_PITCH + c];
                    }
                }
            }
            float p = j < hi && scoring ? dot * scale : NEG;
            score[hs * CHUNK + js] = p;
            ctx.localBarrier();
            int count = hi - j0 < CHUNK ? hi - j0 : CHUNK;
            if (lid < HEADS_PER_GROUP) {
                float mOld = runMax[lid];
                float mNew = mOld;
                for (int k = 0; k < count; k++) {
                    mNew = TornadoMath.max(mNew, score[lid * CHUNK + k]);
                }
                runMax[lid] = mNew;
                corr[lid] = TornadoMath.exp(mOld - mNew);
            }
            ctx.localBarrier();
            // score entry lid is head lid / CHUNK, position lid % CHUNK
            float own = score[lid];
            score[lid] = lid % CHUNK < count ? TornadoMath.exp(own - runMax[lid / CHUNK]) : 0f;
            ctx.localBarrier();
            if (lid < HEADS_PER_GROUP) {
                float sum = 0f;
                for (int k = 0; k < count; k++) {
                    sum += score[lid * CHUNK + k];
                }
                runSum[lid] = runSum[lid] * corr[lid] + sum;
            }
            a0 *= corr[0]; b0 *= corr[0];
            a1 *= corr[1]; b1 *= corr[1];
            a2 *= corr[2]; b2 *= corr[2];
            a3 *= corr[3]; b3 *= corr[3];
            a4 *= corr[4]; b4 *= corr[4];
            a5 *= corr[5]; b5 *= corr[5];
            a6 *= corr[6]; b6 *= corr[6];
            a7 *= corr[7]; b7 *= corr[7];
            for (int k = 0; k < count; k++) {
                float c0 = 0f;
                float c1 = 0f;
                if (packed) {
                    if (i1 < rank) {
                        int kw = halves.get((j0 + k) * words + lid);
                        c0 = CacheFormat.decode(format, CacheFormat.low(kw));
                        c1 = CacheFormat.decode(format, CacheFormat.high(kw));
                    }
                } else {
                    if (i0 < rank) {
                        c0 = cache.get((j0 + k) * width + i0);
                    }
                    if (i1 < rank) {
                        c1 = cache.get((j0 + k) * width + i1);
                    }
                }
                float w0 = score[k];
                float w1 = score[CHUNK + k];
                float w2 = score[2 * CHUNK + k];
                float w3 = score[3 * CHUNK + k];
                float w4 = score[4 * CHUNK + k];
                float w5 = score[5 * CHUNK + k];
                float w6 = score[6 * CHUNK + k];
                float w7 = score[7 * CHUNK + k];
                a0 += w0 * c0; b0 += w0 * c1;
                a1 += w1 * c0; b1 += w1 * c1;
                a2 += w2 * c0; b2 += w2 * c1;
                a3 += w3 * c0; b3 += w3 * c1;
                a4 += w4 * c0; b4 += w4 * c1;
                a5 += w5 * c0; b5 += w5 * c1;
                a6 += w6 * c0; b6 += w6 * c1;
                a7 += w7 * c0; b7 += w7 * c1;
            }
        }
        ctx.localBarrier();
        if (t < n) {
            int out = (t * heads + h0) * rank;
            put(ol, h0 < heads, out, i0, i1, rank, a0, b0, runSum[0]);
            put(ol, h0 + 1 < heads, out + rank, i0, i1, rank, a1, b1, runSum[1]);
            put(ol, h0 + 2 < heads, out + 2 * rank, i0, i1, rank, a2, b2, runSum[2]);
            put(ol, h0 + 3 < heads, out + 3 * rank, i0, i1, rank, a3, b3, runSum[3]);
            put(ol, h0 + 4 < heads, out + 4 * rank, i0, i1, rank, a4, b4, runSum[4]);
            put(ol, h0 + 5 < heads, out + 5 * rank, i0, i1, rank, a5, b5, runSum[5]);
            put(ol, h0 + 6 < heads, out + 6 * rank, i0, i1, rank, a6, b6, runSum[6]);
            put(ol, h0 + 7 < heads, out + 7 * rank, i0, i1, rank, a7, b7, runSum[7]);
        }
    }

    /** One head's two normalised latent columns (where the head and the columns exist). */
    private static void put(FloatArray ol, boolean head, int at, int i0, int i1, int rank, float a, float b, float sum) {
        if (head && i0 < rank) {
            ol.set(at + i0, a / sum);
        }
        if (head && i1 < rank) {
            ol.set(at + i1, b / sum);
        }
    }
}
