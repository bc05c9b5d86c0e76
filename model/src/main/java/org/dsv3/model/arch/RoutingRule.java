package org.dsv3.model.arch;

import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.Gating;

/**
 * How a model routes a token to its experts (docs/architecture.md §5.3, §5.4), as data both backends read:
 * the CPU's {@link Router} and the device's routing kernel.
 *
 * @param experts       routed experts {@code E}
 * @param gating        softmax (V2) or sigmoid (V3) scores
 * @param selectionBias whether a per-expert bias ({@code exp_probs_b}) is added to the scores for choosing
 * @param groups        expert groups (1 = no group-limited routing)
 * @param groupsUsed    groups kept
 * @param groupScore    how a group is scored when choosing groups
 * @param topK          experts chosen per token
 * @param normalize     whether the chosen weights are divided by their sum
 * @param scale         routed scale the weights are multiplied by
 */
public record RoutingRule(int experts, Gating gating, boolean selectionBias, int groups, int groupsUsed,
                          Router.GroupScore groupScore, int topK, boolean normalize, float scale) {

    public RoutingRule {
        if (groups > 1 && (experts % groups != 0 || groupsUsed < 1 || groupsUsed > groups)) {
            throw new IllegalArgumentException(groups + " groups / " + groupsUsed + " kept do not fit " + experts + " experts");
        }
        if (topK < 1 || topK > experts) {
            throw new IllegalArgumentException("top-" + topK + " of " + experts + " experts");
        }
    }

    /**
     * The rule of a configuration. The group score is the one place this is decided: top-2-sum for
     * sigmoid or biased models (V3-style), the best score for softmax without bias (V2).
     */
    public static RoutingRule of(DeepSeekConfig c) {
        return new RoutingRule(c.expertCount(), c.gating(), c.hasSelectionBias(), c.groupCount(), c.groupUsedCount(),
                groupScore(c.gating(), c.hasSelectionBias()), c.expertUsedCount(), c.normalizeTopK(), c.routedScale());
    }

    /** §5.3 step 4: how groups are scored for this gating and bias. */
    public static Router.GroupScore groupScore(Gating gating, boolean selectionBias) {
        return gating == Gating.SIGMOID || selectionBias ? Router.GroupScore.TOP2_SUM : Router.GroupScore.MAX;
    }

    /** Whether only some groups of experts compete (§5.4). */
    public boolean grouped() {
        return groups > 1;
    }
}
