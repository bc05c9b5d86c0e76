package org.dsv3.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched-product micro-kernel: 4 dequantized weight rows times 2 input rows at once. Each
 * loaded vector feeds 2 or 4 fused multiply-adds (a lone dot product feeds one per 2 loads), which
 * makes prompt processing about 2.5× faster than row-by-row dots. Float32 accumulation.
 */
final class DotTile {
    static final int ROWS = 4;
    static final int TOKENS = 2;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private DotTile() {
    }

    /**
     * {@code out[o0 + i] = w[i]·x0} and {@code out[o1 + i] = w[i]·x1} for the 4 rows {@code w[i]} at
     * {@code w[wOff + i·n …]} and the inputs at {@code x[x0 …]}, {@code x[x1 …]}, all of length {@code n}.
     */
    static void dot4x2(float[] w, int wOff, int n, float[] x, int x0, int x1, float[] out, int o0, int o1) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        int step = S.length();
        int k = 0;
        for (; k + step <= n; k += step) {
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + k);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + k);
            FloatVector r = FloatVector.fromArray(S, w, wOff + k);
            a00 = r.fma(v0, a00);
            a01 = r.fma(v1, a01);
            r = FloatVector.fromArray(S, w, wOff + n + k);
            a10 = r.fma(v0, a10);
            a11 = r.fma(v1, a11);
            r = FloatVector.fromArray(S, w, wOff + 2 * n + k);
            a20 = r.fma(v0, a20);
            a21 = r.fma(v1, a21);
            r = FloatVector.fromArray(S, w, wOff + 3 * n + k);
            a30 = r.fma(v0, a30);
            a31 = r.fma(v1, a31);
        }
        float s00 = a00.reduceLanes(VectorOperators.ADD);
        float s01 = a01.reduceLanes(VectorOperators.ADD);
        float s10 = a10.reduceLanes(VectorOperators.ADD);
        float s11 = a11.reduceLanes(VectorOperators.ADD);
        float s20 = a20.reduceLanes(VectorOperators.ADD);
        float s21 = a21.reduceLanes(VectorOperators.ADD);
        float s30 = a30.reduceLanes(VectorOperators.ADD);
        float s31 = a31.reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            float v0 = x[x0 + k];
            float v1 = x[x1 + k];
            s00 += w[wOff + k] * v0;
            s01 += w[wOff + k] * v1;
            s10 += w[wOff + n + k] * v0;
            s11 += w[wOff + n + k] * v1;
            s20 += w[wOff + 2 * n + k] * v0;
            s21 += w[wOff + 2 * n + k] * v1;
            s30 += w[wOff + 3 * n + k] * v0;
            s31 += w[wOff + 3 * n + k] * v1;
        }
        out[o0] = s00;
        out[o0 + 1] = s10;
        out[o0 + 2] = s20;
        out[o0 + 3] = s30;
        out[o1] = s01;
        out[o1 + 1] = s11;
        out[o1 + 2] = s21;
        out[o1 + 3] = s31;
    }
}
