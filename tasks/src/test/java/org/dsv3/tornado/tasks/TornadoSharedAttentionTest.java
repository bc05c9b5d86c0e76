package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.dsv3.model.ReferenceFiles;
import org.dsv3.model.TestData;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.tornado.kernels.BatchTile;
import org.dsv3.tornado.kernels.LatentAttention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decode graphs with the shared-row attention kernel ({@link LatentAttention#attendShared},
 * {@code -Ddsv3.tornado.attention=shared}) end to end, token by token (no batched prefill: every position
 * goes through the decode attention):
 * <ul>
 *   <li>every case of a few reference models against the reference logits (bound 1e-4, as
 *       {@link TornadoReferenceLogitsTest}), with slices of at least 4 positions and at most 7, so the 15–27
 *       token cases use 4–7 slices and the 160-token case 7 slices of 23 positions (3 tiles of 8 rows, the last
 *       one partly filled);</li>
 *   <li>a long context ({@value #LONG} positions, the cases' tokens one after another) against the CPU engine
 *       ({@code cpu:exact}) at every position, for both kernels, F32 cache (bound 1e-4) and the shared kernel with
 *       an F16 cache against the CPU's own F16 cache (bound 2e-3, as {@link TornadoHalfCacheTest}).</li>
 * </ul>
 */
class TornadoSharedAttentionTest {
    private static final float BOUND = 1e-4f;
    private static final float F16_BOUND = 2e-3f;
    private static final int LONG = 400;

    private static PlanOptions tokenByToken(AttentionKernel kernel, int splits, int slicePositions) {
        return new PlanOptions(0, splits, slicePositions, false, false, 0, PlanOptions.DEFAULT_MATVEC_THREADS,
                BatchTile.DEFAULT, kernel, false, Int8Ffn.OFF, false, PlanOptions.DEFAULT_EXPERT_LANES,
                PlanOptions.DEFAULT_EXPERTS_GROUP, false);
    }

    @ParameterizedTest
    @CsvSource({
            "models/tiny-v3.bf16.gguf, reference/tiny-v3.cases.json, reference/tiny-v3.case{i}.logits.f32",
            "models/tiny-v2.bf16.gguf, reference/tiny-v2.cases.json, reference/tiny-v2.case{i}.logits.f32",
            "models/quant/tiny-v3.q4_k_m.gguf, reference/tiny-v3.cases.json, reference/quant/tiny-v3.q4_k_m.case{i}.dequant-ref.f32"})
    void sharedKernelMatchesReferenceOverSeveralSlices(String model, String casesJson, String refPattern) {
        JsonNode cases = ReferenceFiles.json(casesJson).get("cases");
        try (GgufModel file = GgufModel.open(TestData.require(model))) {
            DeepSeekConfig config = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            int vocab = config.vocabSize();
            try (TornadoBackend backend = new TornadoBackend(file, config, DeviceSelector.select(""),
                    tokenByToken(AttentionKernel.SHARED, 7, 4))) {
                for (int c = 0; c < cases.size(); c++) {
                    int[] tokens = TornadoReferenceLogitsTest.tokens(cases.get(c));
                    float[] expected = ReferenceFiles.floats(TestData.require(refPattern.replace("{i}", Integer.toString(c))));
                    float[] actual;
                    try (InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.F32, 256))) {
                        actual = run(s, tokens, vocab);
                    }
                    assertEquals(expected.length, actual.length);
                    float max = maxDiff(actual, expected, 0, expected.length);
                    System.out.printf("tornado shared attention %s case %d (%d tokens, %d slices): max |diff| %.3g%n", model, c,
                            tokens.length, LatentAttention.slicesUsed(tokens.length, 7, 4), max);
                    assertTrue(max <= BOUND, model + " case " + c + ": max |diff| " + max);
                }
            }
        }
    }

    @Test
    void longContextBothKernelsMatchTheCpuEngine() {
        String model = "models/tiny-v3.bf16.gguf";
        JsonNode cases = ReferenceFiles.json("reference/tiny-v3.cases.json").get("cases");
        int[] tokens = new int[LONG];
        int n = 0;
        while (n < LONG) {
            for (int c = 0; c < cases.size() && n < LONG; c++) {
                int[] t = TornadoReferenceLogitsTest.tokens(cases.get(c));
                for (int i = 0; i < t.length && n < LONG; i++) {
                    tokens[n++] = t[i];
                }
            }
        }
        try (GgufModel file = GgufModel.open(TestData.require(model))) {
            DeepSeekConfig config = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            int vocab = config.vocabSize();
            float[] cpu32;
            float[] cpu16;
            try (InferenceBackend cpu = Backends.provider("cpu").load(file, config, new BackendOptions(0, "exact"))) {
                try (InferenceSession s = cpu.newSession(new SessionOptions(KvCacheType.F32, LONG + 8))) {
                    cpu32 = s.forward(tokens, Logits.ALL_POSITIONS);
                }
                try (InferenceSession s = cpu.newSession(new SessionOptions(KvCacheType.F16, LONG + 8))) {
                    cpu16 = s.forward(tokens, Logits.ALL_POSITIONS);
                }
            }
            // default slicing (≥ 16 positions a slice): 25 slices at the end, each 2 tiles of the shared kernel
            for (AttentionKernel kernel : AttentionKernel.values()) {
                try (TornadoBackend backend = new TornadoBackend(file, config, DeviceSelector.select(""),
                        tokenByToken(kernel, kernel.defaultSplits, PlanOptions.DEFAULT_SLICE_POSITIONS))) {
                    float[] dev;
                    try (InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.F32, LONG + 8))) {
                        dev = run(s, tokens, vocab);
                    }
                    float max = maxDiff(dev, cpu32, 0, dev.length);
                    float tail = maxDiff(dev, cpu32, (LONG - 100) * vocab, 100 * vocab);
                    System.out.printf("tornado %s attention, %d positions, F32 cache vs CPU: max |diff| %.3g (last 100 positions %.3g)%n",
                            kernel.label(), LONG, max, tail);
                    assertTrue(max <= BOUND, kernel.label() + " F32: max |diff| vs CPU " + max);
                    if (kernel == AttentionKernel.SHARED) {
                        try (InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.F16, LONG + 8))) {
                            dev = run(s, tokens, vocab);
                        }
                        float half = maxDiff(dev, cpu16, 0, dev.length);
                        System.out.printf("tornado shared attention, %d positions, F16 cache vs the CPU's F16 cache: max |diff| %.3g%n",
                                LONG, half);
                        assertTrue(half <= F16_BOUND, "shared F16: max |diff| vs CPU F16 " + half);
                    }
                }
            }
        }
    }

    private static float[] run(InferenceSession s, int[] tokens, int vocab) {
        float[] out = new float[tokens.length * vocab];
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(s.forward(new int[] {tokens[i]}, Logits.ALL_POSITIONS), 0, out, i * vocab, vocab);
        }
        return out;
    }

    private static float maxDiff(float[] a, float[] b, int from, int n) {
        float max = 0f;
        for (int i = from; i < from + n; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
