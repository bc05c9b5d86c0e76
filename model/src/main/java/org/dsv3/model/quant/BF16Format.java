package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** BF16: the upper 16 bits of an IEEE single, 2 bytes per value; widening appends 16 zero bits. */
public final class BF16Format implements BlockFormat {
    public static final BF16Format INSTANCE = new BF16Format();

    private BF16Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    static float toFloat(int bits16) {
        return Float.intBitsToFloat(bits16 << 16);
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = toFloat(LittleEndian.u16(seg, offset + 2L * i));
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += toFloat(LittleEndian.u16(seg, offset + 2L * i)) * x[xOff + i];
        }
        return sum;
    }
}
