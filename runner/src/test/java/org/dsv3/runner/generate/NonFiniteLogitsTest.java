package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/** A model whose logits turn NaN or infinite stops with an error instead of sampling garbage. */
class NonFiniteLogitsTest {

    /** Logits that favour token 100 until position {@code badFrom}, then hold {@code bad} at token 7. */
    static final class BreakingSession implements InferenceSession {
        private final int vocab;
        private final int badFrom;
        private final float bad;
        private int position;

        BreakingSession(int vocab, int badFrom, float bad) {
            this.vocab = vocab;
            this.badFrom = badFrom;
            this.bad = bad;
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public int maxContext() {
            return 128;
        }

        @Override
        public float[] forward(int[] tokens, Logits which) {
            position += tokens.length;
            float[] l = new float[vocab];
            Arrays.fill(l, -1f);
            l[100] = 5f;
            if (position >= badFrom) {
                l[7] = bad;
            }
            return l;
        }

        @Override
        public void reset() {
            position = 0;
        }

        @Override
        public void truncate(int p) {
            position = p;
        }

        @Override
        public void close() {
        }
    }

    static void assertStops(int badFrom, float bad) {
        int vocab = TestModels.tokenizer().vocabSize();
        Generator g = new Generator(TestModels.tokenizer(), new CachedSession(new BreakingSession(vocab, badFrom, bad)));
        StringBuilder seen = new StringBuilder();
        NonFiniteLogitsException e = assertThrows(NonFiniteLogitsException.class, () -> g.generate(new int[] {1, 2, 3},
                new GenerationParams(org.dsv3.model.sampling.SamplerSettings.GREEDY, 20, java.util.List.of()), seen::append,
                new Cancellation()));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("token 7"), e.getMessage());
    }

    @Test
    void nanInThePromptsLogitsStopsBeforeTheFirstToken() {
        assertStops(1, Float.NaN);
    }

    @Test
    void infinityMidAnswerStops() {
        assertStops(6, Float.POSITIVE_INFINITY);
        assertStops(6, Float.NEGATIVE_INFINITY);
    }
}
