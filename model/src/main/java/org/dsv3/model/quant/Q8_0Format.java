package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0, 32 values in 34 bytes:
 * <pre>
 *   0  f16   d        scale
 *   2  i8    qs[32]   value j = qs[j] · d
 * </pre>
 */
public final class Q8_0Format implements BlockFormat {
    public static final Q8_0Format INSTANCE = new Q8_0Format();
    public static final int BLOCK_VALUES = 32;
    public static final int BLOCK_BYTES = 34;
    public static final int QS = 2;

    private Q8_0Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            int o = outOff + b * BLOCK_VALUES;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                out[o + j] = LittleEndian.i8(seg, blk + QS + j) * d;
            }
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            int xo = xOff + b * BLOCK_VALUES;
            float s = 0f;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                s += LittleEndian.i8(seg, blk + QS + j) * x[xo + j];
            }
            sum += LittleEndian.f16(seg, blk) * s;
        }
        return sum;
    }
}
