package org.dsv3.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] logits() {
        return new float[] {1f, 3f, 2.5f, -1f, 0f, 2.9f};
    }

    @Test
    void temperatureZeroIsArgmax() {
        Sampler s = new Sampler(SamplerSettings.GREEDY);
        assertEquals(1, s.sample(logits()));
    }

    @Test
    void sameSeedSameChoices() {
        SamplerSettings st = new SamplerSettings(1.0f, 0, 1f, 0f, 1f, 64, 42);
        Sampler a = new Sampler(st);
        Sampler b = new Sampler(st);
        for (int i = 0; i < 50; i++) {
            assertEquals(a.sample(logits()), b.sample(logits()));
        }
    }

    @Test
    void topKLimitsTheCandidates() {
        Sampler s = new Sampler(new SamplerSettings(5f, 2, 1f, 0f, 1f, 64, 7));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(logits()));
        }
        assertEquals(Set.of(1, 5), seen);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities at T=1 of {0: ln 6, 1: ln 3, 2: ln 1}: 0.6, 0.3, 0.1 → p = 0.85 keeps ids 0 and 1
        float[] l = {(float) Math.log(6), (float) Math.log(3), 0f};
        Sampler s = new Sampler(new SamplerSettings(1f, 0, 0.85f, 0f, 1f, 64, 1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(l.clone()));
        }
        assertEquals(Set.of(0, 1), seen);
    }

    @Test
    void minPDropsUnlikelyTokens() {
        float[] l = {(float) Math.log(6), (float) Math.log(3), 0f}; // 0.6, 0.3, 0.1; min-p 0.4 → 0.24 threshold
        Sampler s = new Sampler(new SamplerSettings(1f, 0, 1f, 0.4f, 1f, 64, 3));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(l.clone()));
        }
        assertEquals(Set.of(0, 1), seen);
    }

    @Test
    void repeatPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        Sampler s = new Sampler(new SamplerSettings(0f, 0, 1f, 0f, 2f, 4, 0));
        s.accept(1);
        s.accept(3);
        s.accept(1);
        float[] l = logits();
        int choice = s.sample(l);
        assertEquals(1.5f, l[1]);
        assertEquals(-2f, l[3]);
        assertEquals(5, choice, "2.9 now beats the penalised 3 → 1.5");
    }

    @Test
    void topIndicesAreSortedAndTieFree() {
        float[] l = {0.5f, 2f, 2f, -3f, 1f};
        assertArrayEquals(new int[] {1, 2, 4}, Sampler.topIndices(l, 3));
        assertArrayEquals(new int[] {1, 2, 4, 0, 3}, Sampler.topIndices(l, 5));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(-1f, 0, 1f, 0f, 1f, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(1f, 0, 0f, 0f, 1f, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(Float.NaN, 0, 1f, 0f, 1f, 64, 0));
        assertTrue(SamplerSettings.GREEDY.greedy());
    }
}
