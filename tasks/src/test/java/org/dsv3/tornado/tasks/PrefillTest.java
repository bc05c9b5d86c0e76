package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dsv3.model.ReferenceFiles;
import org.dsv3.model.TestData;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.tornado.kernels.BatchTile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batched prompt processing ({@link PrefillGraphs}) against the reference logits of the 160-token case:
 * in chunks of 64 (so that later chunks attend to earlier chunks' cache rows), every position's logits;
 * then a prompt prefilled in one chunk and continued token by token through the decode graphs (which must
 * find the prefill's rows in their own cache, with the weights uploaded once); the greedy id of a batched
 * call is the argmax of its last row. One block per decode graph in the second model, so that every prefill
 * graph takes its buffers over from another decode graph. With the cache in float32 and in F16 (which the
 * prefill writes and the decode graphs read back, packed two values a word). Each model runs another
 * work-group tile of the matrix products (the default, a small one with many partly filled tiles, a wide one
 * of 128 tokens).
 */
class PrefillTest {
    /** Bounds as for the CPU engine: F32 cache 1e-4, F16 cache 1e-2 (kernels/cpu ReferenceLogitsTest). */
    private static final float BOUND = 1e-4f;
    private static final float F16_BOUND = 1e-2f;

    @ParameterizedTest
    @CsvSource({
            "models/tiny-v3.bf16.gguf, reference/tiny-v3.cases.json, reference/tiny-v3.case3.logits.f32, 0, F32, 128x64",
            "models/quant/tiny-v3.q4_k_m.gguf, reference/tiny-v3.cases.json, reference/quant/tiny-v3.q4_k_m.case3.dequant-ref.f32, 1, F32, 32x16",
            "models/tiny-v2.bf16.gguf, reference/tiny-v2.cases.json, reference/tiny-v2.case3.logits.f32, 0, F32, 64x128",
            "models/tiny-v3.bf16.gguf, reference/tiny-v3.cases.json, reference/tiny-v3.case3.logits.f32, 1, F16, 128x64",
            "models/tiny-v2.bf16.gguf, reference/tiny-v2.cases.json, reference/tiny-v2.case3.logits.f32, 0, F16, 128x64"})
    void batchedPrefillMatchesReference(String model, String cases, String ref, int layersPerGraph, KvCacheType kv,
                                        String tile) {
        float bound = kv == KvCacheType.F32 ? BOUND : F16_BOUND;
        int[] tokens = TornadoReferenceLogitsTest.tokens(ReferenceFiles.json(cases).get("cases").get(3));
        float[] expected = ReferenceFiles.floats(TestData.require(ref));
        try (GgufModel file = GgufModel.open(TestData.require(model))) {
            DeepSeekConfig config = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            int vocab = config.vocabSize();
            PlanOptions options = new PlanOptions(layersPerGraph, PlanOptions.DEFAULT_SPLITS, PlanOptions.DEFAULT_SLICE_POSITIONS,
                    false, false, 64, BatchTile.parse(tile));
            try (TornadoBackend backend = new TornadoBackend(file, config, DeviceSelector.select(""), options);
                 InferenceSession s = backend.newSession(new SessionOptions(kv, 256))) {
                assertTrue(backend.plan().batched());
                float[] all = s.forward(tokens, Logits.ALL_POSITIONS);
                assertEquals(tokens.length, s.position());
                float max = maxDiff(all, 0, expected, 0, tokens.length * vocab);
                System.out.printf("tornado %s, %s cache: batched prefill (chunks of 64, tile %s), %d tokens, max |diff| %.3g%n",
                        model, kv, tile, tokens.length, max);
                assertTrue(max <= bound, "batched: max |diff| " + max);

                // greedy id of a batched call = argmax of the same row's logits
                s.reset();
                int id = s.forwardArgmax(Arrays.copyOf(tokens, 40));
                int best = 0;
                for (int k = 1; k < vocab; k++) {
                    best = all[39 * vocab + k] > all[39 * vocab + best] ? k : best;
                }
                assertEquals(best, id, "greedy id after a batched prompt");

                // one chunk of 50, then token by token through the decode graphs from the same device cache
                s.reset();
                int split = 50;
                float[] last = s.forward(Arrays.copyOf(tokens, split), Logits.LAST_POSITION);
                float cont = maxDiff(last, 0, expected, (split - 1) * vocab, vocab);
                for (int i = split; i < tokens.length; i++) {
                    float[] row = s.forward(new int[] {tokens[i]}, Logits.LAST_POSITION);
                    cont = Math.max(cont, maxDiff(row, 0, expected, i * vocab, vocab));
                }
                System.out.printf("tornado %s, %s cache: prefill of %d, then decode to %d: max |diff| %.3g%n", model, kv, split,
                        tokens.length, cont);
                assertTrue(cont <= bound, "decode after prefill: max |diff| " + cont);
            }
        }
    }

    private static float maxDiff(float[] a, int aOff, float[] b, int bOff, int n) {
        float max = 0f;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(a[aOff + i] - b[bOff + i]));
        }
        return max;
    }
}
