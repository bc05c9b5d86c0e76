package org.dsv3.cpu;

import org.dsv3.cpu.kernels.Q8Blocks;

/**
 * Several SwiGLU FFNs ({@link SwiGlu}) on one input row: a decoding MoE block's selected and shared
 * experts, in two parallel loops instead of two per FFN. The first runs over the hidden units of all
 * of them (gate and up rows, SiLU, and the rounding of the hidden values to 8-bit blocks for the down
 * products), the second over the rows of all their down matrices laid end to end. With 6 routed
 * experts and the shared ones that is 2 hand-offs between the pool's threads instead of 14, each over
 * 7 times the rows: a loop's end, where the participants wait for each other's last chunk, comes
 * 7 times less often, and the SiLU and rounding no longer run on the calling thread alone.
 *
 * <p>The kernels and roundings are those of {@link SwiGlu#forward} on one token, so each FFN's output
 * is the same (bit for bit once the JIT has compiled the kernels: until then the Vector API's
 * interpreted and compiled lane sums may add in different orders).
 */
final class SwiGluGroup {
    /** Hidden units per index of the first loop: one 8-bit block, so that each block is rounded by one thread. */
    private static final int UNIT = Q8Blocks.BLOCK;
    /** Fewest down rows a chunk of the second loop takes. */
    private static final int MIN_DOWN_ROWS = 8;

    private SwiGluGroup() {
    }

    /** {@code y[i] = ffns[i](x)} for one input row {@code x[0 … d)}, {@code d} the FFNs' common width. */
    static float[][] forward(SwiGlu[] ffns, float[] x, int d, MatMul mm) {
        int k = ffns.length;
        float[][] hidden = new float[k][];
        float[][] upOut = new float[k][];
        Q8Blocks[] qx = new Q8Blocks[k];
        Q8Blocks[] qHidden = new Q8Blocks[k];
        int[] unitStart = new int[k + 1];
        int[] rowStart = new int[k + 1];
        Q8Blocks rounded = null;
        for (int i = 0; i < k; i++) {
            SwiGlu s = ffns[i];
            int f = s.gate().rows();
            hidden[i] = new float[f];
            upOut[i] = new float[f];
            // as SwiGlu.forward: gate and up on integer dots when they share a type that has them
            if (s.gate().type() == s.up().type() && mm.roundsFor(s.gate(), 1)) {
                if (rounded == null) {
                    rounded = Q8Blocks.of(x, 0, d, 1, d);
                }
                qx[i] = rounded;
            }
            if (mm.roundsFor(s.down(), 1)) {
                qHidden[i] = Q8Blocks.row(f);
            }
            unitStart[i + 1] = unitStart[i] + (f + UNIT - 1) / UNIT;
            rowStart[i + 1] = rowStart[i] + s.down().rows();
        }
        mm.pool().parallelFor(unitStart[k], (from, to, worker) -> {
            for (int i = first(unitStart, from); i < k && unitStart[i] < to; i++) {
                SwiGlu s = ffns[i];
                float[] g = hidden[i];
                float[] u = upOut[i];
                int f = g.length;
                int a = (Math.max(from, unitStart[i]) - unitStart[i]) * UNIT;
                int b = Math.min(f, (Math.min(to, unitStart[i + 1]) - unitStart[i]) * UNIT);
                MatMul.rows(s.gate(), a, b, x, qx[i], 0, d, 1, g, 0, f);
                MatMul.rows(s.up(), a, b, x, qx[i], 0, d, 1, u, 0, f);
                for (int j = a; j < b; j++) {
                    g[j] = SwiGlu.silu(g[j]) * u[j];
                }
                if (qHidden[i] != null) {
                    qHidden[i].roundBlocks(g, 0, a / UNIT, b / UNIT);
                }
            }
        });
        float[][] y = new float[k][];
        for (int i = 0; i < k; i++) {
            y[i] = new float[ffns[i].down().rows()];
        }
        mm.pool().parallelFor(rowStart[k], MIN_DOWN_ROWS, (from, to, worker) -> {
            for (int i = first(rowStart, from); i < k && rowStart[i] < to; i++) {
                WeightMatrix down = ffns[i].down();
                int a = Math.max(from, rowStart[i]) - rowStart[i];
                int b = Math.min(to, rowStart[i + 1]) - rowStart[i];
                MatMul.rows(down, a, b, hidden[i], qHidden[i], 0, down.cols(), 1, y[i], 0, down.rows());
            }
        });
        return y;
    }

    /** The FFN whose range {@code [start[i], start[i+1])} holds {@code index} (ranges laid end to end). */
    private static int first(int[] start, int index) {
        int i = 0;
        while (start[i + 1] <= index) {
            i++;
        }
        return i;
    }
}
