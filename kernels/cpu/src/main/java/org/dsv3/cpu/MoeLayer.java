package org.dsv3.cpu;

import java.util.Arrays;
import org.dsv3.cpu.kernels.VectorOps;
import org.dsv3.model.arch.Router;

/**
 * The mixture-of-experts FFN of a MoE block (docs/architecture.md §5.3): the router picks k experts per
 * token, only those experts run, each on the tokens routed to it (one weight pass per expert for
 * the whole batch), their outputs are added with the routing weights; the shared experts always run,
 * unweighted.
 */
public final class MoeLayer implements FeedForward {
    private final WeightMatrix routerWeights;
    private final Router router;
    private final SwiGlu[] experts;
    private final SwiGlu shared;
    private final MatMul mm;

    /**
     * @param routerWeights {@code ffn_gate_inp} ({@code [E][d]})
     * @param experts       one FFN per routed expert (slices of the stacked {@code *_exps} tensors)
     * @param shared        the concatenated shared experts, or {@code null} when there are none
     */
    public MoeLayer(WeightMatrix routerWeights, Router router, SwiGlu[] experts, SwiGlu shared, MatMul mm) {
        this.routerWeights = routerWeights;
        this.router = router;
        this.experts = experts;
        this.shared = shared;
        this.mm = mm;
    }

    @Override
    public float[] forward(float[] x, int tokens) {
        int d = routerWeights.cols();
        int e = experts.length;
        float[] logits = mm.apply(routerWeights, x, tokens);
        if (tokens == 1) {
            return forwardOne(x, router.choose(logits, 0));
        }
        // Invert the routing: per expert, the tokens sent to it and their weights.
        int[][] tokenOf = new int[e][];
        float[][] weightOf = new float[e][];
        int[] count = new int[e];
        for (int t = 0; t < tokens; t++) {
            Router.Choice c = router.choose(logits, t * e);
            for (int j = 0; j < c.experts().length; j++) {
                int ex = c.experts()[j];
                if (tokenOf[ex] == null) {
                    tokenOf[ex] = new int[tokens];
                    weightOf[ex] = new float[tokens];
                }
                tokenOf[ex][count[ex]] = t;
                weightOf[ex][count[ex]++] = c.weights()[j];
            }
        }
        float[] out = shared != null ? shared.forward(x, tokens) : new float[tokens * d];
        for (int ex = 0; ex < e; ex++) {
            int n = count[ex];
            if (n == 0) {
                continue;
            }
            float[] xe = new float[n * d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, tokenOf[ex][i] * d, xe, i * d, d);
            }
            float[] ye = experts[ex].forward(xe, n);
            for (int i = 0; i < n; i++) {
                VectorOps.axpy(weightOf[ex][i], ye, i * d, out, tokenOf[ex][i] * d, d);
            }
        }
        return out;
    }

    /**
     * One token (decode): the chosen and shared experts together ({@link SwiGluGroup}); the outputs
     * are added as {@link #forward} adds them, the shared experts' first, then the routed ones in
     * expert order, so the sum is the same.
     */
    private float[] forwardOne(float[] x, Router.Choice c) {
        int d = routerWeights.cols();
        int[] chosen = c.experts().clone();
        float[] weight = new float[experts.length];
        for (int j = 0; j < chosen.length; j++) {
            weight[chosen[j]] = c.weights()[j];
        }
        Arrays.sort(chosen);
        int s = shared != null ? 1 : 0;
        SwiGlu[] group = new SwiGlu[s + chosen.length];
        if (shared != null) {
            group[0] = shared;
        }
        for (int j = 0; j < chosen.length; j++) {
            group[s + j] = experts[chosen[j]];
        }
        float[][] y = SwiGluGroup.forward(group, x, d, mm);
        float[] out = shared != null ? y[0] : new float[d];
        for (int j = 0; j < chosen.length; j++) {
            VectorOps.axpy(weight[chosen[j]], y[s + j], 0, out, 0, d);
        }
        return out;
    }
}
