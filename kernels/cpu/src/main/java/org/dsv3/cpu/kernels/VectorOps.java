package org.dsv3.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised float-array primitives (float32 arithmetic, fused multiply-add). */
public final class VectorOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorOps() {
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int step = F.length();
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 4 * step <= n; i += 4 * step) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
            s1 = FloatVector.fromArray(F, a, aOff + i + step).fma(FloatVector.fromArray(F, b, bOff + i + step), s1);
            s2 = FloatVector.fromArray(F, a, aOff + i + 2 * step).fma(FloatVector.fromArray(F, b, bOff + i + 2 * step), s2);
            s3 = FloatVector.fromArray(F, a, aOff + i + 3 * step).fma(FloatVector.fromArray(F, b, bOff + i + 3 * step), s3);
        }
        for (; i + step <= n; i += step) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff+i] += alpha·x[xOff+i] for i in [0, n). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int step = F.length();
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    /**
     * A 4×4 tile of dot products: {@code out[outOff + j·outStride + i] = a_i · b_j} for the four rows
     * {@code a_i = a[aOff + i·aStride …]} and the four rows {@code b_j = b[bOff + j·bStride …]}, each of
     * length n. Sixteen accumulators stay in registers, so each loaded vector feeds four fused
     * multiply-adds instead of one: the inner kernel of the batched (prefill) matrix product.
     */
    public static void dotTile4x4(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int n,
                                  float[] out, int outOff, int outStride) {
        int step = F.length();
        int a0 = aOff, a1 = aOff + aStride, a2 = aOff + 2 * aStride, a3 = aOff + 3 * aStride;
        int b0 = bOff, b1 = bOff + bStride, b2 = bOff + 2 * bStride, b3 = bOff + 3 * bStride;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int k = 0;
        for (; k + step <= n; k += step) {
            FloatVector x0 = FloatVector.fromArray(F, b, b0 + k);
            FloatVector x1 = FloatVector.fromArray(F, b, b1 + k);
            FloatVector x2 = FloatVector.fromArray(F, b, b2 + k);
            FloatVector x3 = FloatVector.fromArray(F, b, b3 + k);
            FloatVector w = FloatVector.fromArray(F, a, a0 + k);
            c00 = w.fma(x0, c00);
            c01 = w.fma(x1, c01);
            c02 = w.fma(x2, c02);
            c03 = w.fma(x3, c03);
            w = FloatVector.fromArray(F, a, a1 + k);
            c10 = w.fma(x0, c10);
            c11 = w.fma(x1, c11);
            c12 = w.fma(x2, c12);
            c13 = w.fma(x3, c13);
            w = FloatVector.fromArray(F, a, a2 + k);
            c20 = w.fma(x0, c20);
            c21 = w.fma(x1, c21);
            c22 = w.fma(x2, c22);
            c23 = w.fma(x3, c23);
            w = FloatVector.fromArray(F, a, a3 + k);
            c30 = w.fma(x0, c30);
            c31 = w.fma(x1, c31);
            c32 = w.fma(x2, c32);
            c33 = w.fma(x3, c33);
        }
        float[] c = {
            c00.reduceLanes(VectorOperators.ADD), c01.reduceLanes(VectorOperators.ADD), c02.reduceLanes(VectorOperators.ADD), c03.reduceLanes(VectorOperators.ADD),
            c10.reduceLanes(VectorOperators.ADD), c11.reduceLanes(VectorOperators.ADD), c12.reduceLanes(VectorOperators.ADD), c13.reduceLanes(VectorOperators.ADD),
            c20.reduceLanes(VectorOperators.ADD), c21.reduceLanes(VectorOperators.ADD), c22.reduceLanes(VectorOperators.ADD), c23.reduceLanes(VectorOperators.ADD),
            c30.reduceLanes(VectorOperators.ADD), c31.reduceLanes(VectorOperators.ADD), c32.reduceLanes(VectorOperators.ADD), c33.reduceLanes(VectorOperators.ADD)};
        for (; k < n; k++) {
            for (int i = 0; i < 4; i++) {
                float av = a[aOff + i * aStride + k];
                for (int j = 0; j < 4; j++) {
                    c[i * 4 + j] += av * b[bOff + j * bStride + k];
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                out[outOff + j * outStride + i] = c[i * 4 + j];
            }
        }
    }
}
