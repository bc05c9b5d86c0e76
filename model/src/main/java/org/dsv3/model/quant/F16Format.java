package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** F16: IEEE half precision, 2 bytes per value, widened exactly to float. */
public final class F16Format implements BlockFormat {
    public static final F16Format INSTANCE = new F16Format();

    private F16Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = LittleEndian.f16(seg, offset + 2L * i);
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += LittleEndian.f16(seg, offset + 2L * i) * x[xOff + i];
        }
        return sum;
    }
}
