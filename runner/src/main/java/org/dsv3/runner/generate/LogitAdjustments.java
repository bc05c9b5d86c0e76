package org.dsv3.runner.generate;

import java.util.HashMap;
import java.util.Map;

/**
 * What an OpenAI-style request changes in the logits before the sampler sees them: a fixed bias per
 * token and the presence / frequency penalties on what has been generated so far. For a token
 * generated {@code c} times the logit becomes {@code logit + bias - (c > 0 ? presence : 0) - c × frequency};
 * a bias of {@value #BAN} or lower bans the token outright (its logit becomes −∞).
 *
 * @param bias      token id → amount added to its logit
 * @param presence  subtracted once from every token already generated
 * @param frequency subtracted per occurrence of a token already generated
 */
public record LogitAdjustments(Map<Integer, Float> bias, float presence, float frequency) {
    public static final float BAN = -100f;
    public static final LogitAdjustments NONE = new LogitAdjustments(Map.of(), 0f, 0f);

    public LogitAdjustments {
        bias = bias == null ? Map.of() : Map.copyOf(bias);
        if (!Float.isFinite(presence) || !Float.isFinite(frequency)) {
            throw new IllegalArgumentException("penalties must be finite numbers");
        }
    }

    public boolean none() {
        return bias.isEmpty() && presence == 0f && frequency == 0f;
    }

    /** A fresh per-generation counter of generated tokens that applies these adjustments. */
    public Tracker start() {
        return new Tracker();
    }

    /** Counts the tokens of one generation and adjusts each row of logits. Not thread-safe. */
    public final class Tracker {
        private final Map<Integer, Integer> counts = new HashMap<>();

        private Tracker() {
        }

        /** Remembers a generated token (the prompt's tokens are not counted, as in OpenAI's API). */
        public void generated(int token) {
            if (presence != 0f || frequency != 0f) {
                counts.merge(token, 1, Integer::sum);
            }
        }

        /** Changes {@code logits} in place; token ids outside the row are left alone. */
        public void apply(float[] logits) {
            for (Map.Entry<Integer, Float> e : bias.entrySet()) {
                int t = e.getKey();
                if (t >= 0 && t < logits.length) {
                    logits[t] = e.getValue() <= BAN ? Float.NEGATIVE_INFINITY : logits[t] + e.getValue();
                }
            }
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                int t = e.getKey();
                if (t >= 0 && t < logits.length) {
                    logits[t] -= presence + e.getValue() * frequency;
                }
            }
        }
    }
}
