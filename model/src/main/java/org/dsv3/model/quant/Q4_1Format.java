package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q4_1, 32 values in 20 bytes:
 * <pre>
 *   0  f16  d        scale
 *   2  f16  m        offset (the block minimum)
 *   4  u8   qs[16]   value j (j &lt; 16) = low nibble of qs[j], value j+16 = high nibble of qs[j]
 * </pre>
 * A value is {@code d · q + m}.
 */
public final class Q4_1Format implements BlockFormat {
    public static final Q4_1Format INSTANCE = new Q4_1Format();
    public static final int BLOCK_VALUES = 32;
    public static final int BLOCK_BYTES = 20;
    public static final int QS = 4;

    private Q4_1Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    static int quant(MemorySegment seg, long blk, int j) {
        int b = LittleEndian.u8(seg, blk + QS + (j & 15));
        return (j < 16 ? b : b >> 4) & 0xF;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            float m = LittleEndian.f16(seg, blk + 2);
            int o = outOff + b * BLOCK_VALUES;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                out[o + j] = d * quant(seg, blk, j) + m;
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
            float qx = 0f;
            float sx = 0f;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                qx += quant(seg, blk, j) * x[xo + j];
                sx += x[xo + j];
            }
            sum += LittleEndian.f16(seg, blk) * qx + LittleEndian.f16(seg, blk + 2) * sx;
        }
        return sum;
    }
}
