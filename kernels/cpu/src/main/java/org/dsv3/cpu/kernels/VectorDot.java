package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;

/**
 * TEMPORARY stand-in (engine branch) for the quant branch's Vector API class of the same name:
 * delegates to the scalar {@link BlockFormat}s. Replaced wholesale when the quant branch adds it.
 */
public final class VectorDot {
    private VectorDot() {
    }

    public static float dot(GgmlType type, MemorySegment seg, long offset, float[] x, int xOff, int n) {
        return BlockFormat.of(type).dot(seg, offset, x, xOff, n);
    }

    public static void dequantizeRow(GgmlType type, MemorySegment seg, long offset, float[] out, int outOff, int n) {
        BlockFormat.of(type).dequantize(seg, offset, out, outOff, n);
    }
}
