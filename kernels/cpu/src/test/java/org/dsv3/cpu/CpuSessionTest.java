package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
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
import org.junit.jupiter.api.Test;

/** Session bookkeeping: positions, truncate, reset, last-position logits, context limit. */
class CpuSessionTest {
    private static final String MODEL = "models/quant/tiny-v3.q4_k_m.gguf";
    private static final int[] TOKENS = {0, 1990, 57, 74, 275, 316, 296, 1897, 313, 286};

    @Test
    void truncateAndResetReplayTheSameLogits() {
        try (GgufModel file = GgufModel.open(TestData.require(MODEL))) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            int vocab = c.vocabSize();
            try (InferenceBackend backend = Backends.provider("cpu").load(file, c, new BackendOptions(2));
                 InferenceSession s = backend.newSession(SessionOptions.defaults())) {
                float[] all = s.forward(TOKENS, Logits.ALL_POSITIONS);
                assertEquals(TOKENS.length, s.position());
                assertEquals(TOKENS.length * vocab, all.length);

                s.truncate(6);
                assertEquals(6, s.position());
                float[] tail = s.forward(Arrays.copyOfRange(TOKENS, 6, TOKENS.length), Logits.ALL_POSITIONS);
                assertClose(Arrays.copyOfRange(all, 6 * vocab, all.length), tail);

                s.reset();
                float[] last = s.forward(TOKENS, Logits.LAST_POSITION);
                assertEquals(vocab, last.length);
                assertClose(Arrays.copyOfRange(all, (TOKENS.length - 1) * vocab, all.length), last);
                assertThrows(IllegalArgumentException.class, () -> s.truncate(TOKENS.length + 1));
            }
        }
    }

    @Test
    void contextLimitIsEnforced() {
        try (GgufModel file = GgufModel.open(TestData.require(MODEL))) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            try (InferenceBackend backend = Backends.provider("cpu").load(file, c, new BackendOptions(1));
                 InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.BF16, 4))) {
                assertEquals(4, s.maxContext());
                s.forward(new int[] {0, 1, 2}, Logits.LAST_POSITION);
                assertThrows(IllegalArgumentException.class, () -> s.forward(new int[] {3, 4}, Logits.LAST_POSITION));
                assertEquals(3, s.position());
                s.forward(new int[] {3}, Logits.LAST_POSITION);
                assertEquals(4, s.position());
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5f, "element " + i);
        }
    }
}
