package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Expert choice on the device (architecture doc §5.3), so that the chosen expert ids never travel to
 * the host: softmax or sigmoid scores, an optional selection bias used only for choosing, group-limited
 * choice with the losing groups masked to −∞ (top-2-sum or max group score), top-k with ties to the
 * lower index, weights from the unbiased scores, optionally normalised (sum clamped below at
 * 6.103515625e-5 as llama.cpp does), times the routed scale. Mirrors {@code org.dsv3.cpu.Router}.
 */
public final class Routing {
    /** Most routed experts of any model of the family (Kimi-K2: 384). */
    public static final int MAX_EXPERTS = 384;
    /** Most expert groups. */
    public static final int MAX_GROUPS = 64;
    private static final float NEG_INF = -3.0e38f;
    private static final float MIN_NORM_SUM = 6.103515625e-5f;

    private Routing() {
    }

    /**
     * One work-group; thread 0 does it all (a few hundred exponentials and comparisons, microseconds —
     * cheaper than a host round trip). Writes {@code ids[0 … topK)} best first and their weights.
     *
     * @param sigmoid   1 for sigmoid gating (V3), 0 for softmax over all experts (V2)
     * @param hasBias   1 when {@code bias} ({@code exp_probs_b}) is used for selection
     * @param top2Sum   1: a group scores the sum of its two best; 0: its best
     * @param normalize 1 to divide the weights by their sum
     */
    public static void route(KernelContext ctx, FloatArray logits, FloatArray bias, IntArray ids, FloatArray weights,
                             int experts, int topK, int sigmoid, int hasBias, int groups, int groupsUsed, int top2Sum,
                             int normalize, float scale) {
        int lid = ctx.localIdx;
        float[] score = ctx.allocateFloatLocalArray(MAX_EXPERTS);
        float[] sel = ctx.allocateFloatLocalArray(MAX_EXPERTS);
        float[] groupScore = ctx.allocateFloatLocalArray(MAX_GROUPS);
        if (lid == 0) {
            float max = NEG_INF;
            for (int e = 0; e < experts; e++) {
                max = TornadoMath.max(max, logits.get(e));
            }
            float sum = 0f;
            for (int e = 0; e < experts; e++) {
                float l = logits.get(e);
                float v = sigmoid == 1 ? 1f / (1f + TornadoMath.exp(-l)) : TornadoMath.exp(l - max);
                score[e] = v;
                sum += v;
            }
            for (int e = 0; e < experts; e++) {
                float v = sigmoid == 1 ? score[e] : score[e] / sum;
                score[e] = v;
                sel[e] = hasBias == 1 ? v + bias.get(e) : v;
            }
            if (groups > 1) {
                int per = experts / groups;
                for (int g = 0; g < groups; g++) {
                    float best = NEG_INF;
                    float second = NEG_INF;
                    for (int e = g * per; e < (g + 1) * per; e++) {
                        float v = sel[e];
                        if (v > best) {
                            second = best;
                            best = v;
                        } else if (v > second) {
                            second = v;
                        }
                    }
                    groupScore[g] = top2Sum == 1 && per > 1 ? best + second : best;
                }
                // keep the groupsUsed best groups: mark them by pushing their score to +big, others masked
                for (int k = 0; k < groupsUsed; k++) {
                    int bestG = -1;
                    for (int g = 0; g < groups; g++) {
                        if (groupScore[g] < 1e38f && (bestG < 0 || groupScore[g] > groupScore[bestG])) {
                            bestG = g;
                        }
                    }
                    groupScore[bestG] = 2e38f;
                }
                for (int g = 0; g < groups; g++) {
                    if (groupScore[g] < 1e38f) {
                        for (int e = g * per; e < (g + 1) * per; e++) {
                            sel[e] = NEG_INF;
                        }
                    }
                }
            }
            float total = 0f;
            for (int k = 0; k < topK; k++) {
                int best = -1;
                for (int e = 0; e < experts; e++) {
                    if (sel[e] > -2e38f && (best < 0 || sel[e] > sel[best])) {
                        best = e;
                    }
                }
                if (best < 0) {
                    best = 0;
                }
                sel[best] = -3.3e38f;
                ids.set(k, best);
                weights.set(k, score[best]);
                total += score[best];
            }
            float norm = normalize == 1 ? 1f / TornadoMath.max(total, MIN_NORM_SUM) : 1f;
            for (int k = 0; k < topK; k++) {
                weights.set(k, weights.get(k) * norm * scale);
            }
        }
    }
}
