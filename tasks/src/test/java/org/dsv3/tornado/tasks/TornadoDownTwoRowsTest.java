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
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The FFN's down launch with two output rows a work-group ({@code -Ddsv3.tornado.downTwoRows=true},
 * {@code Residual.TWO_ROWS}) on the exact float path: a MoE model (routed and shared rows) and a V2 model (a dense
 * first block too), token by token, against the reference logits with the bound of {@link TornadoReferenceLogitsTest}.
 */
class TornadoDownTwoRowsTest {
    private static final float BOUND = 1e-4f;

    @ParameterizedTest
    @CsvSource({
            "models/quant/tiny-v3.q8_0.gguf, reference/tiny-v3.cases.json, reference/quant/tiny-v3.q8_0.case0.dequant-ref.f32",
            "models/tiny-v2.bf16.gguf, reference/tiny-v2.cases.json, reference/tiny-v2.case0.logits.f32"})
    void matchesTheReference(String model, String cases, String reference) {
        System.setProperty("dsv3.tornado.downTwoRows", "true");
        try (GgufModel file = GgufModel.open(TestData.require(model));
             InferenceBackend backend = Backends.provider("tornado").load(file,
                     DeepSeekConfig.fromGguf(file, GroupRouting.AUTO), BackendOptions.defaults());
             InferenceSession session = backend.newSession(SessionOptions.defaults())) {
            assertTrue(((TornadoBackend) backend).plan().graphs.downTwoRows(), "the plan took the option");
            JsonNode c = ReferenceFiles.json(cases).get("cases").get(0);
            int[] tokens = TornadoReferenceLogitsTest.tokens(c);
            float[] expected = ReferenceFiles.floats(TestData.require(reference));
            int vocab = backend.config().vocabSize();
            assertEquals(tokens.length * vocab, expected.length);
            float max = 0f;
            for (int t = 0; t < tokens.length; t++) {
                float[] row = session.forward(new int[] {tokens[t]}, Logits.ALL_POSITIONS);
                for (int i = 0; i < vocab; i++) {
                    max = Math.max(max, Math.abs(expected[t * vocab + i] - row[i]));
                }
            }
            System.out.printf("tornado %s case 0, down two rows a work-group: max |diff| %.3g%n", model, max);
            assertTrue(max <= BOUND, model + ": max |diff| " + max + " > " + BOUND);
        } finally {
            System.clearProperty("dsv3.tornado.downTwoRows");
        }
    }
}
