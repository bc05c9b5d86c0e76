package org.dsv3.tornado.kernels;

/**
 * Expert choice on the device (docs/architecture.md §5.3), so that the chosen expert ids never travel to
 * the host: softmax or sigmoid scores, an optional selection bias used only for choosing, group-limited
 * choice with the losing groups masked (top-2-sum or max group score), top-k with ties to the lower
 * index, weights from the unbiased scores, optionally normalised (sum clamped below at 6.103515625e-5 as
 * llama.cpp does), times the routed scale. Mirrors {@code org.dsv3.model.arch.Router}.
 *
 * <p>The work (a few hundred exponentials and comparisons) is done by every work-group that needs it, its
 * threads sharing the scores in local memory ({@link NormMatVec#expertsGateUp}: TornadoVM cannot hand local
 * arrays to a helper, so the steps are written out there), which is cheaper than a separate launch: measured on the
 * H200 (2026-12-02), a one-work-group routing launch took 18.6 µs, more than it saved the experts kernel (15.6 µs). The
 * result goes to a scratch array laid out as a slot ({@link #slotSize}): scores {@code [E]}, selection scores
 * {@code [E]}, chosen ids {@code [k]} (as floats, exact), their weights {@code [k]}, group scores {@code [G]};
 * only the ids and weights are written.
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

    /** Most experts chosen per token. */
    public static final int MAX_TOP_K = 32;
    /** The score of a masked expert (below any real score, above the "already chosen" mark −3.3e38). */
    public static final float NEG_INF = -3.0e38f;
    /** Lower clamp of the sum that normalises the chosen weights. */
    public static final float MIN_NORM_SUM = 6.103515625e-5f;

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
}
