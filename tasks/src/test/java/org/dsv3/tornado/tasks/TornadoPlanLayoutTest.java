package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The plan's layout must not change the numbers: one block per graph (so every buffer is handed over
 * between graphs, as in the 27-block models) with an uneven number of attention slices, against the
 * reference logits; plus the session contract (greedy id = argmax of the logits, truncate and re-run).
 */
class TornadoPlanLayoutTest {

    @ParameterizedTest
    @CsvSource({
            "models/tiny-v2.bf16.gguf, reference/tiny-v2.cases.json, reference/tiny-v2.case{i}.logits.f32",
            "models/quant/tiny-v3.q4_k_m.gguf, reference/tiny-v3.cases.json, reference/quant/tiny-v3.q4_k_m.case{i}.dequant-ref.f32"})
    void oneBlockPerGraphAndThreeSlices(String model, String cases, String refs) {
        JsonNode c = ReferenceFiles.json(cases).get("cases").get(3);
        int[] tokens = TornadoReferenceLogitsTest.tokens(c);
        float[] expected = ReferenceFiles.floats(TestData.require(refs.replace("{i}", "3")));
        try (GgufModel file = GgufModel.open(TestData.require(model))) {
            DeepSeekConfig config = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            int vocab = config.vocabSize();
            try (TornadoBackend backend = new TornadoBackend(file, config, DeviceSelector.select(""),
                    new PlanOptions(1, 3, 2, false, false, 0, BatchTile.DEFAULT));
                 InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.F32, 256))) {
                assertEquals(config.mainBlockCount() + 1, backend.plan().graphs.graphs.size(), "one graph per block + head");
                float max = 0f;
                float[] last = null;
                for (int i = 0; i < tokens.length; i++) {
                    last = s.forward(new int[] {tokens[i]}, Logits.ALL_POSITIONS);
                    for (int k = 0; k < vocab; k++) {
                        max = Math.max(max, Math.abs(last[k] - expected[i * vocab + k]));
                    }
                }
                System.out.printf("tornado %s, 1 block per graph, 3 slices: max |diff| %.3g%n", model, max);
                assertTrue(max <= 1e-4f, "max |diff| " + max);

                // greedy: the id brought back is the argmax of the logits of the same position
                s.truncate(tokens.length - 1);
                int id = s.forwardArgmax(new int[] {tokens[tokens.length - 1]});
                int best = 0;
                for (int k = 1; k < vocab; k++) {
                    best = last[k] > last[best] ? k : best;
                }
                assertEquals(best, id);

                // the cache rows after a truncation are rewritten: same logits again
                s.truncate(tokens.length - 1);
                float[] again = s.forward(new int[] {tokens[tokens.length - 1]}, Logits.LAST_POSITION);
                assertArrayEquals(last, again, 0f);
                s.reset();
                float[] first = s.forward(Arrays.copyOf(tokens, 1), Logits.LAST_POSITION);
                for (int k = 0; k < vocab; k++) {
                    assertEquals(expected[k], first[k], 1e-4f);
                }
            }
        }
    }
}
