package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.model.TestData;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.backend.StepProfile;
import org.dsv3.model.backend.StepProfiler;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.tornado.kernels.BatchTile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend's step profiler on TornadoVM's default device (PoCL here): a few decode steps of a tiny model report
 * kernel time, the profiled pass's wall time is not less than it (a kernel time read from the growing log more than
 * once would be), and the weight bytes per token are what the file's tensors say a token reads.
 */
class TornadoStepProfilerTest {

    /**
     * The weight bytes one decoded token reads, from the file's tensor sizes alone: every matrix but the embedding
     * (a token reads one row of it, which the kernels' accounting leaves out), routed expert tensors
     * ({@code *_exps}: all experts in one tensor) at {@code used / experts} of their size; 1-D gains and biases are
     * not weights read by a matrix product.
     */
    static long expectedBytesPerToken(GgufModel file, DeepSeekConfig c) {
        long bytes = 0;
        for (GgufTensor t : file.tensors().values()) {
            if (t.dims().length < 2 || t.name().equals("token_embd.weight")) {
                continue;
            }
            bytes += t.name().contains("_exps.") ? t.byteSize() / c.expertCount() * c.expertUsedCount() : t.byteSize();
        }
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/tiny-v3.bf16.gguf", "models/tiny-v2.bf16.gguf", "models/quant/tiny-v3.q4_k_m.gguf"})
    void aFewDecodeStepsReportKernelTimeAndTheWeightBytesTheFileHolds(String model) {
        try (GgufModel file = GgufModel.open(TestData.require(model))) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            long expected = expectedBytesPerToken(file, c);
            try (TornadoBackend backend = new TornadoBackend(file, c, DeviceSelector.select(""),
                    new PlanOptions(0, 3, 2, false, false, 0, BatchTile.DEFAULT))) {
                StepProfiler profiler = backend.profiler().orElseThrow();
                assertThrows(IllegalStateException.class, () -> profiler.profile(1, () -> { }), "no session open yet");
                try (InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.F32, 32))) {
                    s.forward(new int[] {1, 17, 42}, Logits.LAST_POSITION);
                    for (int pass = 0; pass < 2; pass++) {
                        // the second pass: the graphs' logs already hold the first pass's executions
                        int tokens = 3 - pass;
                        StepProfile p = profiler.profile(tokens, () -> {
                            for (int i = 0; i < tokens; i++) {
                                s.forward(new int[] {5 + i}, Logits.LAST_POSITION);
                            }
                        });
                        System.out.printf("%s pass %d: kernels %.3f ms/token, profiled wall %.3f ms/token, %d weight bytes/token%n",
                                model, pass, p.kernelNsPerToken() / 1e6, p.profiledNsPerToken() / 1e6, p.weightBytesPerToken());
                        assertEquals(tokens, p.tokens());
                        assertTrue(p.kernelTimeKnown(), "PoCL's profiler times every kernel");
                        assertTrue(p.kernelNsPerToken() > 0, "kernel time " + p.kernelNsPerToken());
                        assertTrue(p.hostNsPerToken(p.profiledNsPerToken()) >= 0, "kernel time " + p.kernelNsPerToken()
                                + " ns is more than the wall time " + p.profiledNsPerToken() + " ns of the same steps");
                        assertEquals(expected, p.weightBytesPerToken(), "weight bytes per token");
                        assertEquals(expected / p.kernelNsPerToken(), p.kernelWeightGBps(), 1e-9 * p.kernelWeightGBps());
                    }
                    assertEquals(3 + 3 + 2, s.position(), "the prompt and the two passes");
                    // a pass that decodes more tokens than it says is refused, and leaves the profiler off
                    assertThrows(IllegalArgumentException.class, () -> profiler.profile(1, () -> {
                        s.forward(new int[] {7}, Logits.LAST_POSITION);
                        s.forward(new int[] {8}, Logits.LAST_POSITION);
                    }));
                    assertThrows(IllegalArgumentException.class, () -> profiler.profile(0, () -> { }));
                }
            }
        }
    }
}
