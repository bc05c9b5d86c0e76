package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K, 256 values in 210 bytes, 16 sub-blocks of 16, stored as two halves of 128 values:
 * <pre>
 *   0  u8   ql[128]     low four bits: value e (h = e/128, r = e%128) in
 *                       ql[64h + r%64], low nibble when r &lt; 64, high nibble otherwise
 * 128  u8   qh[64]      high two bits: (qh[32h + r%32] &gt;&gt; 2·(r/32)) &amp; 3
 * 192  i8   scales[16]  signed 8-bit scale of each sub-block of 16
 * 208  f16  d           super-scale
 * </pre>
 * A value of sub-block i is {@code (d·scale_i)·(q − 32)}.
 */
public final class Q6_KFormat implements BlockFormat {
    public static final Q6_KFormat INSTANCE = new Q6_KFormat();
    public static final int BLOCK_VALUES = 256;
    public static final int BLOCK_BYTES = 210;
    public static final int QL = 0;
    public static final int QH = 128;
    public static final int SCALES = 192;
    public static final int D = 208;

    private Q6_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    /** Signed quant (−32..31) of value e. */
    static int quant(MemorySegment seg, long blk, int e) {
        int h = e >> 7;
        int r = e & 127;
        int low = (LittleEndian.u8(seg, blk + QL + (h << 6) + (r & 63)) >> ((r >> 6) << 2)) & 15;
        int high = (LittleEndian.u8(seg, blk + QH + (h << 5) + (r & 31)) >> ((r >> 5) << 1)) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk + D);
            int o = outOff + b * BLOCK_VALUES;
            for (int i = 0; i < 16; i++) {
                float dl = d * LittleEndian.i8(seg, blk + SCALES + i);
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    out[o + e] = dl * quant(seg, blk, e);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk + D);
            int xo = xOff + b * BLOCK_VALUES;
            for (int i = 0; i < 16; i++) {
                float qx = 0f;
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    qx += quant(seg, blk, e) * x[xo + e];
                }
                sum += d * LittleEndian.i8(seg, blk + SCALES + i) * qx;
            }
        }
        return sum;
    }
}
