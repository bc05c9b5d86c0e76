package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q5_1, 32 values in 24 bytes:
 * <pre>
 *   0  f16  d        scale
 *   2  f16  m        offset (the block minimum)
 *   4  u32  qh       bit j = fifth (high) bit of value j
 *   8  u8   qs[16]   low four bits, laid out as in Q5_0
 * </pre>
 * A value is {@code d · q + m}.
 */
public final class Q5_1Format implements BlockFormat {
    public static final Q5_1Format INSTANCE = new Q5_1Format();
    public static final int BLOCK_VALUES = 32;
    public static final int BLOCK_BYTES = 24;
    public static final int QH = 4;
    public static final int QS = 8;

    private Q5_1Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            float m = LittleEndian.f16(seg, blk + 2);
            int qh = LittleEndian.i32(seg, blk + QH);
            int o = outOff + b * BLOCK_VALUES;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                out[o + j] = d * Q5_0Format.quant(seg, blk + QS, qh, j) + m;
            }
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            int qh = LittleEndian.i32(seg, blk + QH);
            int xo = xOff + b * BLOCK_VALUES;
            float qx = 0f;
            float sx = 0f;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                qx += Q5_0Format.quant(seg, blk + QS, qh, j) * x[xo + j];
                sx += x[xo + j];
            }
            sum += LittleEndian.f16(seg, blk) * qx + LittleEndian.f16(seg, blk + 2) * sx;
        }
        return sum;
    }
}
