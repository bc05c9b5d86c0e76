package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** F32: plain little-endian IEEE single precision, 4 bytes per value. */
public final class F32Format implements BlockFormat {
    public static final F32Format INSTANCE = new F32Format();

    private F32Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        MemorySegment.copy(seg, LittleEndian.FLOAT, offset, out, outOff, n);
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += LittleEndian.f32(seg, offset + 4L * i) * x[xOff + i];
        }
        return sum;
    }
}
