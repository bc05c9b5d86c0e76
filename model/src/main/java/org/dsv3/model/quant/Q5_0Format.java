package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0, 32 values in 22 bytes:
 * <pre>
 *   0  f16  d        scale
 *   2  u32  qh       bit j = fifth (high) bit of value j
 *   6  u8   qs[16]   low four bits: value j (j &lt; 16) in the low nibble of qs[j], value j+16 in its high nibble
 * </pre>
 * A value is {@code d · (q − 16)}.
 */
public final class Q5_0Format implements BlockFormat {
    public static final Q5_0Format INSTANCE = new Q5_0Format();
    public static final int BLOCK_VALUES = 32;
    public static final int BLOCK_BYTES = 22;
    public static final int QH = 2;
    public static final int QS = 6;

    private Q5_0Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    /** The 5-bit quant (0..31) of value j, given the block's {@code qh} word. */
    static int quant(MemorySegment seg, long qs, int qh, int j) {
        int b = LittleEndian.u8(seg, qs + (j & 15));
        return ((j < 16 ? b : b >> 4) & 0xF) | (((qh >>> j) & 1) << 4);
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            int qh = LittleEndian.i32(seg, blk + QH);
            int o = outOff + b * BLOCK_VALUES;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                out[o + j] = d * (quant(seg, blk + QS, qh, j) - 16);
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
            float s = 0f;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                s += (quant(seg, blk + QS, qh, j) - 16) * x[xo + j];
            }
            sum += LittleEndian.f16(seg, blk) * s;
        }
        return sum;
    }
}
