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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device's F16 latent cache end to end: every case of a few reference models, the three short ones
 * token by token (decode graphs) and the 160-token one batched (prefill graphs), against
 * <ul>
 *   <li>the reference logits, with the CPU engine's F16-cache bound {@value #REFERENCE_BOUND} (kernels/cpu
 *       {@code ReferenceLogitsTest}; an F16 cache costs ~4e-3 there);</li>
 *   <li>the CPU engine's logits with its own F16 cache ({@code cpu:exact}): both round each cache value to
 *       nearest even with the same rule (the device's codec is checked bit for bit in
 *       {@link CacheFormatKernelTest}), so they differ only by the float32 summation orders, plus a rounding
 *       flip where the two engines' float values of a cache entry fall on either side of a half-way point
 *       (one F16 unit, 2⁻¹⁰ of the value, where the float32 difference is ~1e-7); bound {@value #CPU_BOUND}.</li>
 * </ul>
 * Measured on PoCL (2026-12-02): vs reference ≤ 4.0e-3 (the CPU's own F16 cache: ≤ 4.0e-3 on the same cases),
 * vs the CPU's F16 cache ≤ 8.6e-4; with F32 caches the two engines agree to ~1e-5.
 * Near-tied routing: F16 rounding can flip an expert choice whose two scores are closer than the cache
 * error; the CPU engine's F16 cache flips too (its reference test runs F16 on the BF16 models only). A
 * position beyond the reference bound is accepted only where the CPU's F16 cache is beyond it as well, the
 * device still agreeing with the CPU within {@value #CPU_BOUND}, and at most 1 % of a case's positions + 1
 * (tiny-v3.q8_0 case 2: one such position, |diff| 0.96 on both engines, 2.4e-4 between them). A sweep of
 * all 24 reference files with the F16 device cache (2026-12-02, PoCL) found 8 of 90 cases with such a flip;
 * of the four looked at, three flip identically on the CPU's F16 cache, one (tiny-v3.q4_0 case 1, position
 * 25) on the device only: at a near tie the engines' float32 differences decide (tornado-config/README.md).
 * The F32 cache is covered by {@link TornadoReferenceLogitsTest} (bound 1e-4).
 */
class TornadoHalfCacheTest {
    private static final float REFERENCE_BOUND = 1e-2f;
    private static final float CPU_BOUND = 2e-3f;
    private static final int LONG_CASE = 3;

    @ParameterizedTest
    @CsvSource({
            "models/tiny-v3.bf16.gguf, reference/tiny-v3.cases.json, reference/tiny-v3.case{i}.logits.f32",
            "models/tiny-v2.bf16.gguf, reference/tiny-v2.cases.json, reference/tiny-v2.case{i}.logits.f32",
            "models/quant/tiny-v3.q4_k_m.gguf, reference/tiny-v3.cases.json, reference/quant/tiny-v3.q4_k_m.case{i}.dequant-ref.f32",
            "models/quant/tiny-v3.q8_0.gguf, reference/tiny-v3.cases.json, reference/quant/tiny-v3.q8_0.case{i}.dequant-ref.f32"})
    void f16CacheMatchesReferenceAndCpu(String model, String casesJson, String refPattern) {
        JsonNode cases = ReferenceFiles.json(casesJson).get("cases");
        SessionOptions f16 = SessionOptions.defaults().withKvCacheType(KvCacheType.F16);
        try (GgufModel file = GgufModel.open(TestData.require(model))) {
            DeepSeekConfig config = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            int vocab = config.vocabSize();
            float[][] device = new float[cases.size()][];
            try (InferenceBackend backend = Backends.provider("tornado").load(file, config, BackendOptions.defaults())) {
                for (int c = 0; c < cases.size(); c++) {
                    int[] tokens = TornadoReferenceLogitsTest.tokens(cases.get(c));
                    try (InferenceSession s = backend.newSession(f16)) {
                        assertEquals(KvCacheType.F16, ((TornadoBackend) backend).plan().kvType());
                        device[c] = c == LONG_CASE ? s.forward(tokens, Logits.ALL_POSITIONS) : tokenByToken(s, tokens, vocab);
                    }
                }
            }
            try (InferenceBackend cpu = Backends.provider("cpu").load(file, config, new BackendOptions(0, "exact"))) {
                for (int c = 0; c < cases.size(); c++) {
                    int[] tokens = TornadoReferenceLogitsTest.tokens(cases.get(c));
                    float[] expected = ReferenceFiles.floats(TestData.require(refPattern.replace("{i}", Integer.toString(c))));
                    float[] onCpu;
                    try (InferenceSession s = cpu.newSession(f16)) {
                        onCpu = s.forward(tokens, Logits.ALL_POSITIONS);
                    }
                    assertEquals(expected.length, device[c].length);
                    float ref = 0f;
                    float vsCpu = 0f;
                    float cpuRef = 0f;
                    int flips = 0;
                    for (int p = 0; p < tokens.length; p++) {
                        float r = maxDiff(device[c], expected, p * vocab, vocab);
                        float cpuR = maxDiff(onCpu, expected, p * vocab, vocab);
                        float d = maxDiff(device[c], onCpu, p * vocab, vocab);
                        // a near-tied expert choice that the F16 cache flips on the CPU engine too (see the class comment)
                        boolean sharedFlip = r > REFERENCE_BOUND && cpuR > REFERENCE_BOUND;
                        flips += sharedFlip ? 1 : 0;
                        ref = sharedFlip ? ref : Math.max(ref, r);
                        cpuRef = sharedFlip ? cpuRef : Math.max(cpuRef, cpuR);
                        vsCpu = Math.max(vsCpu, d);
                    }
                    String how = c == LONG_CASE ? "batched" : "token by token";
                    System.out.printf("tornado F16 cache %s case %d (%d tokens, %s): max |diff| vs reference %.3g, vs CPU F16 %.3g"
                            + " (CPU F16 vs reference %.3g)%s%n", model, c, tokens.length, how, ref, vsCpu, cpuRef,
                            flips > 0 ? "; " + flips + " position(s) where both engines' F16 caches flip routing" : "");
                    assertTrue(ref <= REFERENCE_BOUND, model + " case " + c + ": vs reference " + ref);
                    assertTrue(vsCpu <= CPU_BOUND, model + " case " + c + ": vs the CPU's F16 cache " + vsCpu);
                    assertTrue(flips <= tokens.length / 100 + 1, flips + " flipped positions in " + model + " case " + c);
                }
            }
        }
    }

    private static float[] tokenByToken(InferenceSession session, int[] tokens, int vocab) {
        float[] out = new float[tokens.length * vocab];
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(session.forward(new int[] {tokens[i]}, Logits.ALL_POSITIONS), 0, out, i * vocab, vocab);
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
