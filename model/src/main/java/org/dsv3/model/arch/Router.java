package org.dsv3.model.arch;

import java.util.Arrays;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.Gating;

/**
 * Chooses the routed experts of one token and their weights (docs/architecture.md §5.3): softmax (V2) or
 * sigmoid (V3) scores; an optional selection bias that only chooses; group-limited choice with the
 * losing groups masked to −∞ (§5.4, §10 item 5); top-k; weights from the unbiased scores (§10 item
 * 6), optionally normalised, times the routed scale.
 */
public final class Router {

    /** How a group of experts is scored when choosing groups (§5.3 step 4). */
    public enum GroupScore {
        /** Sum of the two best selection scores in the group (V3-style: sigmoid or selection bias). */
        TOP2_SUM,
        /** Best selection score in the group (DeepSeek-V2, softmax without bias). */
        MAX
    }

    /** The experts chosen for one token, best first, and the weight of each. */
    public record Choice(int[] experts, float[] weights) {
    }

    /** llama.cpp's lower clamp for the normaliser (smallest normal F16), §5.3 step 7. */
    private static final float MIN_NORM_SUM = 6.103515625e-5f;

    private final RoutingRule rule;
    private final float[] bias;

    /**
     * @param bias selection bias per expert ({@code exp_probs_b}); {@code null} exactly when the rule has none
     */
    public Router(RoutingRule rule, float[] bias) {
        if (rule.selectionBias() != (bias != null)) {
            throw new IllegalArgumentException(rule.selectionBias() ? "the routing rule needs a selection bias"
                    : "a selection bias for a rule without one");
        }
        if (bias != null && bias.length != rule.experts()) {
            throw new IllegalArgumentException("selection bias has " + bias.length + " values for " + rule.experts() + " experts");
        }
        this.rule = rule;
        this.bias = bias;
    }

    /** A router from the rule's parts; {@code bias} may be {@code null}. */
    public Router(int experts, Gating gating, float[] bias, int groups, int groupsUsed, GroupScore groupScore, int topK,
                  boolean normalize, float scale) {
        this(new RoutingRule(experts, gating, bias != null, groups, groupsUsed, groupScore, topK, normalize, scale), bias);
    }

    /** The router of a configuration ({@link RoutingRule#of}) with its selection bias, or {@code null}. */
    public static Router of(DeepSeekConfig c, float[] bias) {
        return new Router(RoutingRule.of(c), bias);
    }

    public RoutingRule rule() {
        return rule;
    }

    /** Routes one token from its router logits {@code logits[off … off+E)} ({@code W_router·x}). */
    public Choice choose(float[] logits, int off) {
        int e = rule.experts();
        float[] score = scores(logits, off, e);
        float[] sel = new float[e];
        for (int i = 0; i < e; i++) {
            sel[i] = bias != null ? score[i] + bias[i] : score[i];
        }
        if (rule.grouped()) {
            maskLosingGroups(sel);
        }
        int[] chosen = topK(sel, rule.topK());
        float[] weights = new float[chosen.length];
        float sum = 0f;
        for (int j = 0; j < chosen.length; j++) {
            weights[j] = score[chosen[j]]; // unbiased score, never (s + b) - b
            sum += weights[j];
        }
        float norm = rule.normalize() ? 1f / Math.max(sum, MIN_NORM_SUM) : 1f;
        for (int j = 0; j < weights.length; j++) {
            weights[j] *= norm * rule.scale();
        }
        return new Choice(chosen, weights);
    }

    /** §5.3 step 2. */
    private float[] scores(float[] logits, int off, int e) {
        float[] s = new float[e];
        if (rule.gating() == Gating.SIGMOID) {
            for (int i = 0; i < e; i++) {
                s[i] = (float) (1.0 / (1.0 + Math.exp(-logits[off + i])));
            }
            return s;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < e; i++) {
            max = Math.max(max, logits[off + i]);
        }
        float sum = 0f;
        for (int i = 0; i < e; i++) {
            s[i] = (float) Math.exp(logits[off + i] - max);
            sum += s[i];
        }
        for (int i = 0; i < e; i++) {
            s[i] /= sum;
        }
        return s;
    }

    /** §5.3 step 4: keep the {@code groupsUsed} best groups, set every other expert to −∞ (never 0). */
    private void maskLosingGroups(float[] sel) {
        int groups = rule.groups();
        int perGroup = sel.length / groups;
        float[] groupScores = new float[groups];
        for (int g = 0; g < groups; g++) {
            float best = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int i = g * perGroup; i < (g + 1) * perGroup; i++) {
                float v = sel[i];
                if (v > best) {
                    second = best;
                    best = v;
                } else if (v > second) {
                    second = v;
                }
            }
            groupScores[g] = rule.groupScore() == GroupScore.MAX || perGroup < 2 ? best : best + second;
        }
        boolean[] keep = new boolean[groups];
        for (int g : topK(groupScores, rule.groupsUsed())) {
            keep[g] = true;
        }
        for (int g = 0; g < groups; g++) {
            if (!keep[g]) {
                Arrays.fill(sel, g * perGroup, (g + 1) * perGroup, Float.NEGATIVE_INFINITY);
            }
        }
    }

    /** Indices of the {@code k} largest values, best first; equal values go to the lower index. */
    static int[] topK(float[] v, int k) {
        int[] idx = new int[k];
        boolean[] taken = new boolean[v.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < v.length; i++) {
                if (!taken[i] && (best < 0 || v[i] > v[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            idx[j] = best;
        }
        return idx;
    }
}
