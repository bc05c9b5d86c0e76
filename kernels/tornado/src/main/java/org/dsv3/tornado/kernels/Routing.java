package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Expert choice on the device (docs/architecture.md §5.3), so that the chosen expert ids never travel to
 * the host: softmax or sigmoid scores, an optional selection bias used only for choosing, group-limited
 * choice with the losing groups masked (top-2-sum or max group score), top-k with ties to the lower
 * index, weights from the unbiased scores, optionally normalised (sum clamped below at 6.103515625e-5 as
 * llama.cpp does), times the routed scale. Mirrors {@code org.dsv3.model.arch.Router}.
 *
 * <p>The work (a few hundred exponentials and comparisons) is done by one thread of each work-group that
 * needs it ({@link NormMatVec#expertsGateUp}), in that group's own slot of a scratch array, which is
 * cheaper than a separate launch. Slot layout ({@link #slotSize}): scores {@code [E]}, selection scores
 * {@code [E]}, chosen ids {@code [k]} (as floats, exact), their weights {@code [k]}, group scores {@code [G]}.
 */
public final class Routing {
    /** Most routed experts of any model of the family (Kimi-K2: 384). */
    public static final int MAX_EXPERTS = 384;
    /** Most expert groups. */
    public static final int MAX_GROUPS = 64;
    /** Flag bits: sigmoid gating (else softmax over all experts). */
    public static final int SIGMOID = 1;
    /** Flag bits: a selection bias ({@code exp_probs_b}) is added for choosing. */
    public static final int BIAS = 2;
    /** Flag bits: a group scores the sum of its two best (else its best). */
    public static final int TOP2_SUM = 4;
    /** Flag bits: the chosen weights are divided by their sum. */
    public static final int NORMALIZE = 8;

    private static final float NEG_INF = -3.0e38f;
    private static final float MIN_NORM_SUM = 6.103515625e-5f;

    private Routing() {
    }

    /** Floats per routing slot. */
    public static int slotSize(int experts, int topK, int groups) {
        return 2 * experts + 2 * topK + groups;
    }

    /** Offset of the chosen ids within a slot (their weights follow, {@code topK} later). */
    public static int idsAt(int experts) {
        return 2 * experts;
    }

    /**
     * Routes one token from {@code logits[0 … experts)} into the slot at {@code base} of {@code slot}.
     *
     * @param groupSpec groups in the low 16 bits, groups kept in the high 16 bits (1/1: no grouping)
     */
    public static void choose(FloatArray logits, FloatArray bias, FloatArray slot, int base, int experts, int topK,
                              int flags, int groupSpec, float scale) {
        int sel = base + experts;
        int ids = base + 2 * experts;
        int wts = ids + topK;
        int gs = wts + topK;
        int groups = groupSpec & 0xFFFF;
        int groupsUsed = (groupSpec >> 16) & 0xFFFF;
        float max = NEG_INF;
        for (int e = 0; e < experts; e++) {
            max = TornadoMath.max(max, logits.get(e));
        }
        float sum = 0f;
        for (int e = 0; e < experts; e++) {
            float l = logits.get(e);
            float v = (flags & SIGMOID) != 0 ? 1f / (1f + TornadoMath.exp(-l)) : TornadoMath.exp(l - max);
            slot.set(base + e, v);
            sum += v;
        }
        for (int e = 0; e < experts; e++) {
            float v = (flags & SIGMOID) != 0 ? slot.get(base + e) : slot.get(base + e) / sum;
            slot.set(base + e, v);
            slot.set(sel + e, (flags & BIAS) != 0 ? v + bias.get(e) : v);
        }
        if (groups > 1) {
            int per = experts / groups;
            for (int g = 0; g < groups; g++) {
                float best = NEG_INF;
                float second = NEG_INF;
                for (int e = g * per; e < (g + 1) * per; e++) {
                    float v = slot.get(sel + e);
                    if (v > best) {
                        second = best;
                        best = v;
                    } else if (v > second) {
                        second = v;
                    }
                }
                slot.set(gs + g, (flags & TOP2_SUM) != 0 && per > 1 ? best + second : best);
            }
            // keep the groupsUsed best groups (marked +2e38), mask every expert of the others
            for (int k = 0; k < groupsUsed; k++) {
                int bestG = 0;
                float bestV = -3.4e38f;
                for (int g = 0; g < groups; g++) {
                    float v = slot.get(gs + g);
                    if (v < 1e38f && v > bestV) {
                        bestG = g;
                        bestV = v;
                    }
                }
                slot.set(gs + bestG, 2e38f);
            }
            for (int g = 0; g < groups; g++) {
                if (slot.get(gs + g) < 1e38f) {
                    for (int e = g * per; e < (g + 1) * per; e++) {
                        slot.set(sel + e, NEG_INF);
                    }
                }
            }
        }
        float total = 0f;
        for (int k = 0; k < topK; k++) {
            int best = 0;
            float bestV = -3.4e38f;
            for (int e = 0; e < experts; e++) {
                float v = slot.get(sel + e);
                if (v > -2e38f && v > bestV) {
                    best = e;
                    bestV = v;
                }
            }
            slot.set(sel + best, -3.3e38f);
            float w = slot.get(base + best);
            slot.set(ids + k, best);
            slot.set(wts + k, w);
            total += w;
        }
        float norm = (flags & NORMALIZE) != 0 ? 1f / TornadoMath.max(total, MIN_NORM_SUM) : 1f;
        for (int k = 0; k < topK; k++) {
            slot.set(wts + k, slot.get(wts + k) * norm * scale);
        }
    }
}
