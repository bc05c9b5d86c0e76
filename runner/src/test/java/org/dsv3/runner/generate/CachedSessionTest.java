package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.junit.jupiter.api.Test;

class CachedSessionTest {
    /** Counts positions only. */
    static final class CountingSession implements InferenceSession {
        int position;

        @Override
        public int position() {
            return position;
        }

        @Override
        public int maxContext() {
            return 100;
        }

        @Override
        public float[] forward(int[] tokens, Logits which) {
            position += tokens.length;
            return new float[4];
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

    @Test
    void keepsTheCommonPrefixAndLeavesTheLastTokenToCompute() {
        CountingSession raw = new CountingSession();
        CachedSession s = new CachedSession(raw);
        s.forward(new int[] {1, 2, 3, 4});
        s.forward(new int[] {5});
        assertEquals(5, s.position());
        assertEquals(5, s.keepCommonPrefix(new int[] {1, 2, 3, 4, 5, 6, 7}), "an extension keeps everything");
        assertEquals(5, raw.position);
        assertEquals(2, s.keepCommonPrefix(new int[] {1, 2, 9, 9}), "a divergence truncates to the shared part");
        assertEquals(2, raw.position);
        s.forward(new int[] {9, 9});
        assertEquals(3, s.keepCommonPrefix(new int[] {1, 2, 9, 9}), "the same prompt again recomputes its last token");
        assertEquals(0, s.keepCommonPrefix(new int[] {7}));
        s.reset();
        assertEquals(0, s.keepCommonPrefix(new int[] {1, 2}));
    }
}
