package org.dsv3.model.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dsv3.model.config.Gating;
import org.junit.jupiter.api.Test;

/** Routing rules of docs/architecture.md §5.3–5.4 on hand-checkable numbers. */
class RouterTest {

    private static float logit(double p) {
        return (float) Math.log(p / (1 - p));
    }

    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = logit(probs[i]);
        }
        return l;
    }

    @Test
    void negativeBiasesMaskLosingGroupsWithMinusInfinityNotZero() {
        // 8 experts, 4 groups of 2, keep 2 groups, top-2. All selection scores are negative.
        float[] scores = logitsOf(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
        float[] bias = {-2.0f, -2.1f, -1.0f, -1.1f, -3.0f, -3.0f, -1.5f, -1.6f};
        // sel = 0.5 + bias: groups (sum of top 2): g0 -3.1, g1 -1.1, g2 -5.0, g3 -2.1 → keep g1, g3.
        Router r = new Router(8, Gating.SIGMOID, bias, 4, 2, Router.GroupScore.TOP2_SUM, 2, false, 1f);
        Router.Choice c = r.choose(scores, 0);
        assertArrayEquals(new int[] {2, 3}, c.experts());
        // top-4 must come only from kept groups g1 {2,3} and g3 {6,7}; a 0-masked group would beat every negative score.
        Router r4 = new Router(8, Gating.SIGMOID, bias, 4, 2, Router.GroupScore.TOP2_SUM, 4, false, 1f);
        assertArrayEquals(new int[] {2, 3, 6, 7}, r4.choose(scores, 0).experts());
    }

    @Test
    void groupScoreIsSumOfTwoBestNotMax() {
        // g0 = {0.9, 0.1} (max 0.9, sum 1.0); g1 = {0.6, 0.6} (max 0.6, sum 1.2).
        float[] l = logitsOf(0.9, 0.1, 0.6, 0.6);
        Router sum = new Router(4, Gating.SIGMOID, null, 2, 1, Router.GroupScore.TOP2_SUM, 1, false, 1f);
        assertArrayEquals(new int[] {2}, sum.choose(l, 0).experts());
        Router max = new Router(4, Gating.SIGMOID, null, 2, 1, Router.GroupScore.MAX, 1, false, 1f);
        assertArrayEquals(new int[] {0}, max.choose(l, 0).experts());
    }

    @Test
    void biasOnlyChoosesWeightsComeFromUnbiasedScores() {
        float[] l = logitsOf(0.8, 0.3, 0.6, 0.2);
        float[] bias = {0f, 12f, 0f, 0f}; // expert 1 is chosen only because of its bias
        Router r = new Router(4, Gating.SIGMOID, bias, 1, 1, Router.GroupScore.TOP2_SUM, 2, false, 1f);
        Router.Choice c = r.choose(l, 0);
        assertArrayEquals(new int[] {1, 0}, c.experts());
        assertEquals(0.3f, c.weights()[0], 1e-6f);
        assertEquals(0.8f, c.weights()[1], 1e-6f);
    }

    @Test
    void normalisedThenScaled() {
        float[] l = logitsOf(0.8, 0.3, 0.6, 0.2);
        Router r = new Router(4, Gating.SIGMOID, null, 1, 1, Router.GroupScore.TOP2_SUM, 2, true, 2.5f);
        Router.Choice c = r.choose(l, 0);
        assertArrayEquals(new int[] {0, 2}, c.experts());
        assertEquals(2.5f * 0.8f / 1.4f, c.weights()[0], 1e-6f);
        assertEquals(2.5f * 0.6f / 1.4f, c.weights()[1], 1e-6f);
    }

    @Test
    void softmaxOverAllExpertsWithoutNormalisation() {
        float[] l = {1f, 2f, 3f, 0f};
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(0);
        Router r = new Router(4, Gating.SOFTMAX, null, 1, 1, Router.GroupScore.MAX, 2, false, 1f);
        Router.Choice c = r.choose(l, 0);
        assertArrayEquals(new int[] {2, 1}, c.experts());
        assertEquals(Math.exp(3) / z, c.weights()[0], 1e-6);
        assertEquals(Math.exp(2) / z, c.weights()[1], 1e-6);
    }

    @Test
    void topKIsOrderedAndReadsAtAnOffset() {
        float[] batch = {9f, 9f, 9f, 0.1f, 0.7f, -0.2f, 0.5f, 0.65f};
        Router r = new Router(5, Gating.SIGMOID, null, 1, 1, Router.GroupScore.TOP2_SUM, 3, false, 1f);
        assertArrayEquals(new int[] {1, 4, 3}, r.choose(batch, 3).experts());
        assertArrayEquals(new int[] {0, 3, 4}, Router.topK(new float[] {5, 1, 2, 4, 3}, 3));
    }

    @Test
    void inconsistentGroupsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new Router(6, Gating.SIGMOID, null, 4, 2, Router.GroupScore.TOP2_SUM, 2, false, 1f));
    }
}
