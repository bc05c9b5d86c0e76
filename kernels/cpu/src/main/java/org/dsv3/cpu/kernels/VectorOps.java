package org.dsv3.cpu.kernels;

/**
 * TEMPORARY stand-in (engine branch) for the quant branch's class of the same name. Replaced when
 * the quant branch is merged.
 */
public final class VectorOps {
    private VectorOps() {
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** {@code y += alpha * x}. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
