package org.dsv3.cpu.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;

/** Compares a vectorised result with the scalar {@link BlockFormat} oracle. */
final class KernelCheck {
    /** Dot tolerance, relative to Σ|w·x| (the scale of any summation-order difference). */
    static final double DOT_TOL = 1e-4;

    private KernelCheck() {
    }

    static void assertDot(String what, float actual, GgmlType t, MemorySegment seg, long off, float[] x, int xOff, int n) {
        float[] w = new float[n];
        BlockFormat.of(t).dequantize(seg, off, w, 0, n);
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            magnitude += Math.abs((double) w[i] * x[xOff + i]);
        }
        float expected = BlockFormat.of(t).dot(seg, off, x, xOff, n);
        if (!(Math.abs(actual - expected) <= DOT_TOL * magnitude + 1e-30)) {
            fail(what + ": vector dot " + actual + ", scalar " + expected + " (|diff| " + Math.abs(actual - expected)
                    + ", Σ|w·x| " + magnitude + ")");
        }
    }

    /** The vectorised dequantization performs the scalar one's float operations, so it must agree bit for bit. */
    static void assertDequantized(String what, float[] actual, int outOff, GgmlType t, MemorySegment seg, long off, int n) {
        float[] expected = new float[n];
        BlockFormat.of(t).dequantize(seg, off, expected, 0, n);
        for (int i = 0; i < n; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[outOff + i])) {
                fail(what + ": value " + i + " is " + actual[outOff + i] + ", scalar says " + expected[i]);
            }
        }
    }
}
