package org.dsv3.cpu;

import org.dsv3.cpu.kernels.Q8Blocks;

/**
 * The SiLU-gated FFN {@code W_down·(silu(W_gate·x) ⊙ W_up·x)} (docs/architecture.md §5.2): the dense FFN
 * of the leading blocks, each routed expert and the (concatenated) shared experts.
 */
public final class SwiGlu implements FeedForward {
    private final WeightMatrix gate;
    private final WeightMatrix up;
    private final WeightMatrix down;
    private final MatMul mm;

    public SwiGlu(WeightMatrix gate, WeightMatrix up, WeightMatrix down, MatMul mm) {
        if (gate.rows() != up.rows() || down.cols() != gate.rows() || gate.cols() != up.cols()) {
            throw new IllegalArgumentException("FFN shapes do not fit: gate " + gate.rows() + "×" + gate.cols()
                    + ", up " + up.rows() + "×" + up.cols() + ", down " + down.rows() + "×" + down.cols());
        }
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.mm = mm;
    }

    WeightMatrix gate() {
        return gate;
    }

    WeightMatrix up() {
        return up;
    }

    WeightMatrix down() {
        return down;
    }

    @Override
    public float[] forward(float[] x, int tokens) {
        int f = gate.rows();
        int d = gate.cols();
        float[] g = new float[tokens * f];
        float[] u = new float[tokens * f];
        // gate and up in one parallel pass over 2f rows (one rounding of x serves both: same type and width)
        Q8Blocks qx = gate.type() == up.type() ? mm.roundFor(gate, x, 0, d, tokens) : null;
        if (qx == null && MatMul.usesPanels(tokens)) {
            // one packing of x serves both; gate's rows are [0, f), up's [f, 2f) of one tiled range
            TokenPanels xp = TokenPanels.of(x, 0, d, tokens, d);
            int gateEnd = ((f + PanelTile.ROWS - 1) / PanelTile.ROWS) * PanelTile.ROWS;
            MatMul.forTiles(mm.pool(), gateEnd + f, (from, to) -> {
                if (from < f) {
                    PanelProduct.rows(gate, from, Math.min(to, f), xp, g, 0, f);
                }
                if (to > gateEnd) {
                    PanelProduct.rows(up, Math.max(from, gateEnd) - gateEnd, to - gateEnd, xp, u, 0, f);
                }
            });
        } else {
            mm.pool().parallelFor(2 * f, 8, (from, to, worker) -> {
                if (from < f) {
                    MatMul.rows(gate, from, Math.min(to, f), x, qx, 0, d, tokens, g, 0, f);
                }
                if (to > f) {
                    MatMul.rows(up, Math.max(from, f) - f, to - f, x, qx, 0, d, tokens, u, 0, f);
                }
            });
        }
        for (int i = 0; i < g.length; i++) {
            g[i] = silu(g[i]) * u[i];
        }
        return mm.applyRounded(down, g, tokens);
    }

    static float silu(float z) {
        return (float) (z / (1.0 + Math.exp(-z)));
    }
}
