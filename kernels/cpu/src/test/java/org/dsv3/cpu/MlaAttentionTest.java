package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.dsv3.model.TestConfigs;
import org.dsv3.model.arch.YarnRope;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.config.DeepSeekConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The absorbed MLA (docs/architecture.md §3.3) against the naive form that decompresses K and V per head
 * (§3.2, {@link NaiveMla}), on random weights and inputs, in one batch and in uneven chunks.
 */
class MlaAttentionTest {
    private static final WorkerPool POOL = new WorkerPool(2);
    private static final MatMul MM = new MatMul(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    /**
     * 9 tokens take the per-head path in one batch; 150 the batched one (query chunks of 64 in one
     * batch; in chunks, after a cache of 70 and of 71 rows, and one token on the per-head path between).
     */
    @ParameterizedTest(name = "q-LoRA rank {0}, {1} tokens, chunks {2}")
    @CsvSource({"0, 9, 1 3 1 4", "10, 9, 1 3 1 4", "0, 150, 70 1 79", "10, 150, 70 1 79"})
    void absorbedEqualsNaiveInBatchAndInChunks(int qLoraRank, int tokens, String chunks) {
        DeepSeekConfig c = TestConfigs.small(qLoraRank);
        Random rnd = new Random(17 + qLoraRank);
        int d = c.dim();
        int h = c.headCount();
        int qIn = c.hasQLora() ? c.qLoraRank() : d;
        float[] qA = c.hasQLora() ? gaussian(rnd, c.qLoraRank() * d) : null;
        float[] qANorm = c.hasQLora() ? positive(rnd, c.qLoraRank()) : null;
        float[] qB = gaussian(rnd, h * c.qkHeadDim() * qIn);
        float[] kvA = gaussian(rnd, c.kvCacheWidth() * d);
        float[] kvANorm = positive(rnd, c.kvLoraRank());
        float[] kB = gaussian(rnd, h * c.kvLoraRank() * c.qkNopeDim());
        float[] vB = gaussian(rnd, h * c.vHeadDim() * c.kvLoraRank());
        float[] wo = gaussian(rnd, d * h * c.vHeadDim());
        float[] x = gaussian(rnd, tokens * d);
        float[] expected = NaiveMla.run(c, qA, qANorm, qB, kvA, kvANorm, kB, vB, wo, x, tokens);

        Arena arena = Arena.ofAuto();
        MlaAttention.Weights w = new MlaAttention.Weights(
                c.hasQLora() ? WeightMatrix.ofFloats("q_a", qA, c.qLoraRank(), d, arena) : null,
                qANorm,
                c.hasQLora() ? WeightMatrix.ofFloats("q_b", qB, h * c.qkHeadDim(), qIn, arena) : null,
                c.hasQLora() ? null : WeightMatrix.ofFloats("q", qB, h * c.qkHeadDim(), d, arena),
                WeightMatrix.ofFloats("kv_a", kvA, c.kvCacheWidth(), d, arena), kvANorm,
                WeightMatrix.ofFloats("k_b", kB, h * c.kvLoraRank(), c.qkNopeDim(), arena),
                WeightMatrix.ofFloats("v_b", vB, h * c.vHeadDim(), c.kvLoraRank(), arena),
                WeightMatrix.ofFloats("o", wo, d, h * c.vHeadDim(), arena));
        MlaAttention attn = new MlaAttention(c, w, YarnRope.of(c), MM);

        LatentKvCache batchCache = new LatentKvCache(KvCacheType.F32, 1, c.kvCacheWidth(), 256);
        assertClose(expected, attn.forward(x, tokens, 0, batchCache, 0), "one batch");

        LatentKvCache chunkCache = new LatentKvCache(KvCacheType.F32, 1, c.kvCacheWidth(), 256);
        float[] chunked = new float[tokens * d];
        int t = 0;
        for (String chunk : chunks.split(" ")) {
            int n = Integer.parseInt(chunk);
            float[] y = attn.forward(Arrays.copyOfRange(x, t * d, (t + n) * d), n, t, chunkCache, 0);
            System.arraycopy(y, 0, chunked, t * d, n * d);
            t += n;
        }
        assertEquals(tokens, t);
        assertClose(expected, chunked, "chunks of " + chunks);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian() * 0.3f;
        }
        return a;
    }

    private static float[] positive(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.5f + rnd.nextFloat();
        }
        return a;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        float scale = 1f;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        float maxDiff = 0f;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        assertEquals(0f, maxDiff, 2e-5f * scale, what + ": max |diff| " + maxDiff + " (values up to " + scale + ")");
    }

    /**
     * The batch attention's chunk keeps its scores (tokens × heads × positions floats) under the budget at long
     * context and never drops to 0 tokens: V2-Lite's 16 heads at 4,096 positions keep 64 tokens, V3's 128 heads
     * at 32,768 positions take 4 (16 MiB of scores a token), a million positions 1.
     */
    @Test
    void queryChunkBoundsTheScores() {
        assertEquals(64, MlaAttention.queryChunk(16, 4096));
        assertEquals(4, MlaAttention.queryChunk(128, 32768));
        assertEquals(1, MlaAttention.queryChunk(128, 1 << 20));
        for (int heads : new int[] {1, 16, 64, 128}) {
            for (int positions = 1; positions <= 1 << 21; positions *= 3) {
                int n = MlaAttention.queryChunk(heads, positions);
                assertTrue(n >= 1 && n <= 64);
                assertTrue(n == 1 || 4L * n * heads * positions <= MlaAttention.SCORE_BYTES,
                        heads + " heads, " + positions + " positions: " + n + " tokens a chunk");
            }
        }
    }
}
