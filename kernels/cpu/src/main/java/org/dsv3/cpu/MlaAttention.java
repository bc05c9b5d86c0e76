package org.dsv3.cpu;

import java.lang.foreign.Arena;
import java.util.Arrays;
import org.dsv3.cpu.kernels.VectorOps;
import org.dsv3.model.arch.YarnRope;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * Multi-head Latent Attention of one block in the weight-absorbed form (docs/architecture.md §3.1, §3.3).
 *
 * <p>Per token: {@code q} from the (optionally low-rank) query projection; {@code [c | k_pe]} from
 * {@code attn_kv_a_mqa}, {@code c} RMS-normalised, {@code k_pe} and every head's {@code q_pe} rotated;
 * {@code [c | k_pe]} appended to the latent cache. Per head h: {@code q_abs = W_UK,hᵀ·q_nope} (512),
 * scores {@code s·([q_abs; q_pe]·[c_t; k_pe_t])} over the cached tokens (causal), softmax,
 * {@code o_lat = Σ α_t c_t}, {@code o_h = W_UV,h·o_lat}; finally {@code W_o·concat(o_h)}.
 * {@code kB} holds the per-head {@code W_UK,hᵀ} ({@code [H·r_kv][d_nope]}) and {@code vB} the per-head
 * {@code W_UV,h} ({@code [H·d_v][r_kv]}), exactly as {@code attn_k_b}/{@code attn_v_b} store them.
 */
public final class MlaAttention {
    /**
     * Query tokens per pass of {@link #attendBatch}: 64 tokens × 16 heads make 1024 rows of 576
     * (2.3 MB) against the cache, and a chunk computes at most 63 scores per row that the causal
     * mask then drops.
     */
    private static final int QUERY_CHUNK = 64;
    /**
     * Bytes of softmax scores one chunk may hold ({@code tokens·heads} rows × positions; their token panels
     * take as much again): at long context the chunk shrinks instead, e.g. DeepSeek-V3's 128 heads at
     * 32,768 positions take 4 tokens a chunk (16 MiB a token) instead of 64 (1 GiB of scores).
     */
    static final long SCORE_BYTES = 64L << 20;

    /**
     * The weights of one block's attention. Either {@code qA}, {@code qANorm}, {@code qB} (q-LoRA) or
     * {@code q} (direct projection) is set.
     */
    public record Weights(WeightMatrix qA, float[] qANorm, WeightMatrix qB, WeightMatrix q,
                          WeightMatrix kvA, float[] kvANorm, WeightMatrix kB, WeightMatrix vB, WeightMatrix output) {
    }

    private final Weights w;
    private final MatMul mm;
    private final YarnRope rope;
    private final int heads;
    private final int nope;
    private final int ropeDim;
    private final int qkDim;
    private final int rank;
    private final int vDim;
    private final int width;
    private final float latentEps;
    private final float scale;

    public MlaAttention(DeepSeekConfig c, Weights w, YarnRope rope, MatMul mm) {
        this.w = w;
        this.mm = mm;
        this.rope = rope;
        this.heads = c.headCount();
        this.nope = c.qkNopeDim();
        this.ropeDim = c.qkRopeDim();
        this.qkDim = c.qkHeadDim();
        this.rank = c.kvLoraRank();
        this.vDim = c.vHeadDim();
        this.width = c.kvCacheWidth();
        this.latentEps = c.latentNormEps();
        this.scale = c.kqScale();
    }

    /**
     * Attention output for {@code tokens} normalised inputs {@code x} ({@code [T][d]}) at positions
     * {@code start …}; their latent rows are appended to {@code cache} for {@code layer}.
     */
    public float[] forward(float[] x, int tokens, int start, LatentKvCache cache, int layer) {
        // the two products of x (W_q or W_qa, and W_kv_a) in one parallel loop
        float[][] first = mm.applyBoth(w.q() != null ? w.q() : w.qA(), w.kvA(), x, tokens);
        float[] q = query(first[0], tokens);
        float[] kv = first[1];
        float[] cos = new float[ropeDim / 2];
        float[] sin = new float[ropeDim / 2];
        for (int t = 0; t < tokens; t++) {
            int k = t * width;
            RmsNorm.apply(kv, k, w.kvANorm(), latentEps, kv, k);
            rope.angles(start + t, cos, sin);
            YarnRope.rotate(kv, k + rank, cos, sin);
            for (int h = 0; h < heads; h++) {
                YarnRope.rotate(q, t * heads * qkDim + h * qkDim + nope, cos, sin);
            }
            cache.store(layer, start + t, kv, k);
        }
        int total = start + tokens;
        float[] latent = cache.rows(layer, total, mm.pool());
        float[] o = new float[tokens * heads * vDim];
        // the batched form copies the cache twice a layer: worth it for a batch, not for decode
        if (MatMul.usesPanels(tokens)) {
            attendBatch(q, tokens, start, latent, o);
        } else {
            mm.pool().parallelFor(heads, (from, to, worker) -> {
                for (int h = from; h < to; h++) {
                    head(h, q, tokens, start, latent, o);
                }
            });
        }
        return mm.apply(w.output(), o, tokens);
    }

    /**
     * §3.1 step 1: {@code q = W_qb·RMSNorm(W_qa·x)} or {@code q = W_q·x}, {@code [T][H·d_qk]}, from
     * {@code first} = {@code W_qa·x} or {@code W_q·x}.
     */
    private float[] query(float[] first, int tokens) {
        if (w.q() != null) {
            return first;
        }
        float[] cq = first;
        int r = w.qA().rows();
        for (int t = 0; t < tokens; t++) {
            RmsNorm.apply(cq, t * r, w.qANorm(), latentEps, cq, t * r);
        }
        return mm.apply(w.qB(), cq, tokens);
    }

    /**
     * §3.3 for every head and token of the step as batched products, {@link #queryChunk} tokens at a
     * time: the chunk's query rows of all heads ({@code [t][h]}, 576 wide like a cache row) times the
     * cached rows give the scores, and the softmax weights times the cached latents give
     * {@code o_lat}, so a cached row read serves every head and token of the chunk. A chunk reads
     * the cache up to its last token's position; the positions past each token's own get weight 0.
     * Writes {@code o[t][h·d_v …]}.
     */
    private void attendBatch(float[] q, int tokens, int start, float[] latent, float[] o) {
        int total = start + tokens;
        Arena arena = Arena.ofAuto();
        WeightMatrix keys = WeightMatrix.ofFloats("latent cache", Arrays.copyOf(latent, total * width), total, width, arena);
        float[] latentT = new float[rank * total];
        for (int s = 0; s < total; s++) {
            for (int i = 0; i < rank; i++) {
                latentT[i * total + s] = latent[s * width + i];
            }
        }
        WeightMatrix values = WeightMatrix.ofFloats("latent cacheᵀ", latentT, rank, total, arena);
        int qStride = heads * qkDim;
        int chunk = queryChunk(heads, total);
        for (int t0 = 0; t0 < tokens; t0 += chunk) {
            int n = Math.min(chunk, tokens - t0);
            int chunkStart = t0;
            int visible = start + t0 + n; // positions the chunk's last token sees
            float[] qFull = new float[n * heads * width];
            mm.pool().parallelFor(heads, (from, to, worker) -> {
                for (int h = from; h < to; h++) {
                    MatMul.rows(w.kB().rowSlice(h * rank, rank), 0, rank, q, chunkStart * qStride + h * qkDim, qStride, n,
                            qFull, h * width, heads * width);
                    for (int t = 0; t < n; t++) {
                        System.arraycopy(q, (chunkStart + t) * qStride + h * qkDim + nope, qFull,
                                (t * heads + h) * width + rank, ropeDim);
                    }
                }
            });
            float[] p = mm.apply(keys.rowSlice(0, visible), qFull, n * heads);
            mm.pool().parallelFor(n * heads, (from, to, worker) -> {
                for (int row = from; row < to; row++) {
                    softmax(p, row * visible, start + chunkStart + row / heads + 1, visible);
                }
            });
            float[] oLat = mm.apply(new WeightMatrix(values.name(), values.type(), values.data(), 0, rank, visible,
                    values.rowBytes()), p, n * heads);
            mm.pool().parallelFor(heads, (from, to, worker) -> {
                for (int h = from; h < to; h++) {
                    MatMul.rows(w.vB().rowSlice(h * vDim, vDim), 0, vDim, oLat, h * rank, heads * rank, n, o,
                            chunkStart * heads * vDim + h * vDim, heads * vDim);
                }
            });
        }
    }

    /**
     * Query tokens a chunk of {@link #attendBatch} takes for {@code heads} heads over at most {@code positions}
     * cached positions: {@link #QUERY_CHUNK}, fewer where their scores would pass {@link #SCORE_BYTES}, at least 1.
     */
    static int queryChunk(int heads, int positions) {
        long perToken = 4L * heads * Math.max(1, positions);
        return (int) Math.max(1, Math.min(QUERY_CHUNK, SCORE_BYTES / perToken));
    }

    /** {@code p[off … off+len)} ← softmax of the scaled scores of its first {@code seen} positions, 0 after them. */
    private void softmax(float[] p, int off, int seen, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < seen; s++) {
            p[off + s] *= scale;
            max = Math.max(max, p[off + s]);
        }
        float sum = 0f;
        for (int s = 0; s < seen; s++) {
            float e = (float) Math.exp(p[off + s] - max);
            p[off + s] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int s = 0; s < seen; s++) {
            p[off + s] *= inv;
        }
        Arrays.fill(p, off + seen, off + len, 0f);
    }

    /** §3.3 for head {@code h} and every token of the step; writes {@code o[t][h·d_v …]}. */
    private void head(int h, float[] q, int tokens, int start, float[] latent, float[] o) {
        int qStride = heads * qkDim;
        // Q_h = [W_UK,hᵀ·q_nope ; q_pe], 576 wide like a cache row.
        float[] qFull = new float[tokens * width];
        MatMul.rows(w.kB().rowSlice(h * rank, rank), 0, rank, q, h * qkDim, qStride, tokens, qFull, 0, width);
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(q, t * qStride + h * qkDim + nope, qFull, t * width + rank, ropeDim);
        }
        float[] scores = new float[start + tokens];
        float[] oLat = new float[tokens * rank];
        for (int t = 0; t < tokens; t++) {
            int visible = start + t + 1; // causal: positions 0 … start+t
            float max = Float.NEGATIVE_INFINITY;
            for (int s = 0; s < visible; s++) {
                float v = scale * VectorOps.dot(qFull, t * width, latent, s * width, width);
                scores[s] = v;
                max = Math.max(max, v);
            }
            float sum = 0f;
            for (int s = 0; s < visible; s++) {
                float e = (float) Math.exp(scores[s] - max);
                scores[s] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int s = 0; s < visible; s++) {
                VectorOps.axpy(scores[s] * inv, latent, s * width, oLat, t * rank, rank);
            }
        }
        MatMul.rows(w.vB().rowSlice(h * vDim, vDim), 0, vDim, oLat, 0, rank, tokens, o, h * vDim, heads * vDim);
    }
}
