package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI's documented rule: logit − bias − presence·[c > 0] − frequency·c, and −100 bans. */
class LogitAdjustmentsTest {
    @Test
    void penaltiesFollowTheCountsOfGeneratedTokens() {
        LogitAdjustments.Tracker t = new LogitAdjustments(Map.of(), 0.5f, 0.25f).start();
        t.generated(1);
        t.generated(1);
        t.generated(1);
        t.generated(3);
        float[] logits = {1, 1, 1, 1};
        t.apply(logits);
        // token 1: three times → 1 − 0.5 − 3·0.25; token 3: once → 1 − 0.5 − 0.25
        assertArrayEquals(new float[] {1, -0.25f, 1, 0.25f}, logits);
    }

    @Test
    void biasAddsAndMinusHundredBans() {
        LogitAdjustments.Tracker t = new LogitAdjustments(Map.of(0, 2.5f, 2, -100f, 9, 50f), 0, 0).start();
        float[] logits = {1, 1, 1};
        t.apply(logits);
        assertEquals(3.5f, logits[0]);
        assertEquals(1f, logits[1]);
        assertEquals(Float.NEGATIVE_INFINITY, logits[2], "banned; the id past the row is ignored");
    }
}
