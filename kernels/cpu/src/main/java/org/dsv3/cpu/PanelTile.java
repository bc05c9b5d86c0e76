package org.dsv3.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched-product micro-kernels for large batches: dequantized weight rows times panels of
 * {@link TokenPanels#LANES} tokens, as sums of outer products. For each column {@code k} a kernel
 * loads each panel's column (element {@code k} of L tokens: one vector) and, for each row
 * {@code i}, multiplies it by the broadcast weight {@code w[i][k]} into an accumulator whose lanes
 * are the L tokens. So the results need no horizontal sums. Float32 accumulation, one chain per
 * output, in column order.
 *
 * <p>Shapes. Measured in registers on one core: 12 rows × 1 panel reach half of the AVX-512 FMA
 * peak, 6 rows × 2 panels 59 %, 12 rows × 2 panels 67 %, and 6 × 2 under AVX2 96 % of its peak.
 * That fits a broadcast costing a shuffle on a port that AVX-512 FMAs also use (AVX2 FMAs do not);
 * the machine code was not inspected. So the main kernels share each broadcast between two panels:
 * {@link #multiply12x2} with 24 accumulators on AVX-512, {@link #multiply6x2} on AVX2, where 12
 * accumulators, 2 panel columns and a broadcast take 15 of the 16 vector registers. Both cover the
 * FMA latency (4-5 cycles × 2 units). A batch's odd last panel is paired with a zero panel
 * ({@link TokenPanels}). A kernel of its own for it (12 × 1) was tried and dropped: in some JVM
 * runs C2 compiled it straight at tier 4 without a profile and did not inline its vector
 * operations, which made the 27-layer Q4_K_M pp512 3.3× slower (171 against 52 CPU ms a token,
 * 64 % of the samples in that kernel); the pair kernels are warmed by every batch first.
 */
final class PanelTile {
    /** Rows of a tile: {@link #multiply12x2}'s, and two of {@link #multiply6x2}'s. */
    static final int ROWS = 12;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    private static final int STRIDE = TokenPanels.STRIDE;
    /**
     * Whether the vectors are 512 bits wide (AVX-512: 32 vector registers), so that
     * {@link #multiply12x2} fits in registers; otherwise two {@link #multiply6x2} do its work.
     */
    static final boolean WIDE = LANES >= 16;

    private PanelTile() {
    }

    /**
     * {@code acc[accOff + i·2L + j] = Σ_k w[wOff + i·n + k] · x[k][j]} for the 6 rows {@code i} and
     * the 2L tokens {@code j} of a pair of interleaved panels ({@link TokenPanels} with 256-bit
     * vectors) from {@code p0}, over the {@code n} columns: {@code panel[p0 + k·STRIDE + j]}. Both
     * panels are addressed from one offset: a second one costs a register this kernel does not
     * have (28 % slower, measured).
     */
    static void multiply6x2(float[] w, int wOff, int n, float[] panel, int p0, float[] acc, int accOff) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
        int w0 = wOff, w1 = w0 + n, w2 = w1 + n, w3 = w2 + n, w4 = w3 + n, w5 = w4 + n;
        for (int k = 0; k < n; k++) {
            FloatVector x = FloatVector.fromArray(S, panel, p0 + k * STRIDE);
            FloatVector y = FloatVector.fromArray(S, panel, p0 + k * STRIDE + LANES);
            FloatVector c = FloatVector.broadcast(S, w[w0 + k]);
            a0 = x.fma(c, a0);
            b0 = y.fma(c, b0);
            c = FloatVector.broadcast(S, w[w1 + k]);
            a1 = x.fma(c, a1);
            b1 = y.fma(c, b1);
            c = FloatVector.broadcast(S, w[w2 + k]);
            a2 = x.fma(c, a2);
            b2 = y.fma(c, b2);
            c = FloatVector.broadcast(S, w[w3 + k]);
            a3 = x.fma(c, a3);
            b3 = y.fma(c, b3);
            c = FloatVector.broadcast(S, w[w4 + k]);
            a4 = x.fma(c, a4);
            b4 = y.fma(c, b4);
            c = FloatVector.broadcast(S, w[w5 + k]);
            a5 = x.fma(c, a5);
            b5 = y.fma(c, b5);
        }
        int o = accOff;
        a0.intoArray(acc, o);
        b0.intoArray(acc, o + LANES);
        a1.intoArray(acc, o + 2 * LANES);
        b1.intoArray(acc, o + 3 * LANES);
        a2.intoArray(acc, o + 4 * LANES);
        b2.intoArray(acc, o + 5 * LANES);
        a3.intoArray(acc, o + 6 * LANES);
        b3.intoArray(acc, o + 7 * LANES);
        a4.intoArray(acc, o + 8 * LANES);
        b4.intoArray(acc, o + 9 * LANES);
        a5.intoArray(acc, o + 10 * LANES);
        b5.intoArray(acc, o + 11 * LANES);
    }

    /**
     * {@code acc[i·2L + j] = Σ_k w[wOff + i·n + k] · x[k][j]} for the 12 rows {@code i} and the 2L
     * tokens of the panels from {@code p0} and {@code p1} ({@code x[k][j] = panel[p0 + k·STRIDE + j]}
     * for {@code j < L}, {@code panel[p1 + k·STRIDE + j - L]} after): 24 accumulators, for
     * AVX-512's 32 vector registers only ({@link #WIDE}).
     */
    static void multiply12x2(float[] w, int wOff, int n, float[] panel, int p0, int p1, float[] acc) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
        FloatVector b6 = a0, b7 = a0, b8 = a0, b9 = a0, b10 = a0, b11 = a0;
        int w0 = wOff, w1 = w0 + n, w2 = w1 + n, w3 = w2 + n, w4 = w3 + n, w5 = w4 + n;
        int w6 = w5 + n, w7 = w6 + n, w8 = w7 + n, w9 = w8 + n, w10 = w9 + n, w11 = w10 + n;
        for (int k = 0; k < n; k++) {
            FloatVector x = FloatVector.fromArray(S, panel, p0 + k * STRIDE);
            FloatVector y = FloatVector.fromArray(S, panel, p1 + k * STRIDE);
            FloatVector c = FloatVector.broadcast(S, w[w0 + k]);
            a0 = x.fma(c, a0);
            b0 = y.fma(c, b0);
            c = FloatVector.broadcast(S, w[w1 + k]);
            a1 = x.fma(c, a1);
            b1 = y.fma(c, b1);
            c = FloatVector.broadcast(S, w[w2 + k]);
            a2 = x.fma(c, a2);
            b2 = y.fma(c, b2);
            c = FloatVector.broadcast(S, w[w3 + k]);
            a3 = x.fma(c, a3);
            b3 = y.fma(c, b3);
            c = FloatVector.broadcast(S, w[w4 + k]);
            a4 = x.fma(c, a4);
            b4 = y.fma(c, b4);
            c = FloatVector.broadcast(S, w[w5 + k]);
            a5 = x.fma(c, a5);
            b5 = y.fma(c, b5);
            c = FloatVector.broadcast(S, w[w6 + k]);
            a6 = x.fma(c, a6);
            b6 = y.fma(c, b6);
            c = FloatVector.broadcast(S, w[w7 + k]);
            a7 = x.fma(c, a7);
            b7 = y.fma(c, b7);
            c = FloatVector.broadcast(S, w[w8 + k]);
            a8 = x.fma(c, a8);
            b8 = y.fma(c, b8);
            c = FloatVector.broadcast(S, w[w9 + k]);
            a9 = x.fma(c, a9);
            b9 = y.fma(c, b9);
            c = FloatVector.broadcast(S, w[w10 + k]);
            a10 = x.fma(c, a10);
            b10 = y.fma(c, b10);
            c = FloatVector.broadcast(S, w[w11 + k]);
            a11 = x.fma(c, a11);
            b11 = y.fma(c, b11);
        }
        a0.intoArray(acc, 0);
        b0.intoArray(acc, LANES);
        a1.intoArray(acc, 2 * LANES);
        b1.intoArray(acc, 3 * LANES);
        a2.intoArray(acc, 4 * LANES);
        b2.intoArray(acc, 5 * LANES);
        a3.intoArray(acc, 6 * LANES);
        b3.intoArray(acc, 7 * LANES);
        a4.intoArray(acc, 8 * LANES);
        b4.intoArray(acc, 9 * LANES);
        a5.intoArray(acc, 10 * LANES);
        b5.intoArray(acc, 11 * LANES);
        a6.intoArray(acc, 12 * LANES);
        b6.intoArray(acc, 13 * LANES);
        a7.intoArray(acc, 14 * LANES);
        b7.intoArray(acc, 15 * LANES);
        a8.intoArray(acc, 16 * LANES);
        b8.intoArray(acc, 17 * LANES);
        a9.intoArray(acc, 18 * LANES);
        b9.intoArray(acc, 19 * LANES);
        a10.intoArray(acc, 20 * LANES);
        b10.intoArray(acc, 21 * LANES);
        a11.intoArray(acc, 22 * LANES);
        b11.intoArray(acc, 23 * LANES);
    }
}
