package org.dsv3.model.quant;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;

/** Checks a fused dot product against dequantize-then-multiply, accumulated in double. */
final class DotCheck {
    private DotCheck() {
    }

    /**
     * Fails unless {@code dot} lies within {@code relTol · Σ|w_i·x_i|} of Σ w_i·x_i, with w the
     * dequantized row. (Σ|w·x| is the scale rounding errors of any summation order grow with; a bound
     * relative to the result itself would be meaningless under cancellation.)
     */
    static void assertDot(String what, float dot, BlockFormat f, MemorySegment seg, long off, float[] x, int xOff, int n,
            double relTol) {
        float[] w = new float[n];
        f.dequantize(seg, off, w, 0, n);
        double exact = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            double p = (double) w[i] * x[xOff + i];
            exact += p;
            magnitude += Math.abs(p);
        }
        if (!(Math.abs(dot - exact) <= relTol * magnitude + 1e-30)) {
            fail(what + ": dot " + dot + " vs dequantized " + exact + " (|diff| " + Math.abs(dot - exact)
                    + ", Σ|w·x| " + magnitude + ", n " + n + ")");
        }
    }
}
