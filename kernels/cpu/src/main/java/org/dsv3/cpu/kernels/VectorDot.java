package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.dsv3.model.quant.GgmlType;

/**
 * TEMPORARY stand-in (engine branch) for the quant branch's class of the same name: F32, F16 and
 * BF16 only, scalar. Replaced wholesale when the quant branch is merged.
 */
public final class VectorDot {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VectorDot() {
    }

    public static float dot(GgmlType type, MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float sum = 0f;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    sum += seg.get(F32, offset + 4L * i) * x[xOff + i];
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    sum += Float.float16ToFloat(seg.get(U16, offset + 2L * i)) * x[xOff + i];
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    sum += Float.intBitsToFloat(seg.get(U16, offset + 2L * i) << 16) * x[xOff + i];
                }
            }
            default -> throw new UnsupportedOperationException(type + " (temporary VectorDot)");
        }
        return sum;
    }

    public static void dequantizeRow(GgmlType type, MemorySegment seg, long offset, float[] out, int outOff, int n) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    out[outOff + i] = seg.get(F32, offset + 4L * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[outOff + i] = Float.float16ToFloat(seg.get(U16, offset + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[outOff + i] = Float.intBitsToFloat(seg.get(U16, offset + 2L * i) << 16);
                }
            }
            default -> throw new UnsupportedOperationException(type + " (temporary VectorDot)");
        }
    }
}
