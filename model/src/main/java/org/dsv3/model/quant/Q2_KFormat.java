package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q2_K, 256 values in 84 bytes, 16 sub-blocks of 16:
 * <pre>
 *   0  u8   scales[16]  sub-block i: low nibble = scale, high nibble = min
 *  16  u8   qs[64]      2-bit quants: value e (h = e/128, s = (e%128)/32, l = e%32) = (qs[32h+l] &gt;&gt; 2s) &amp; 3
 *  80  f16  d           super-scale for the scales
 *  82  f16  dmin        super-scale for the mins
 * </pre>
 * A value of sub-block i is {@code (d·scale_i)·q − (dmin·min_i)}.
 */
public final class Q2_KFormat implements BlockFormat {
    public static final Q2_KFormat INSTANCE = new Q2_KFormat();
    public static final int BLOCK_VALUES = 256;
    public static final int BLOCK_BYTES = 84;
    public static final int QS = 16;
    public static final int D = 80;
    public static final int DMIN = 82;

    private Q2_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    static int quant(MemorySegment seg, long blk, int e) {
        int r = e & 127;
        return (LittleEndian.u8(seg, blk + QS + ((e >> 7) << 5) + (r & 31)) >> ((r >> 5) << 1)) & 3;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk + D);
            float dmin = LittleEndian.f16(seg, blk + DMIN);
            int o = outOff + b * BLOCK_VALUES;
            for (int i = 0; i < 16; i++) {
                int sc = LittleEndian.u8(seg, blk + i);
                float dl = d * (sc & 15);
                float ml = dmin * (sc >> 4);
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    out[o + e] = dl * quant(seg, blk, e) - ml;
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
            float dmin = LittleEndian.f16(seg, blk + DMIN);
            int xo = xOff + b * BLOCK_VALUES;
            for (int i = 0; i < 16; i++) {
                int sc = LittleEndian.u8(seg, blk + i);
                float qx = 0f;
                float sx = 0f;
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    qx += quant(seg, blk, e) * x[xo + e];
                    sx += x[xo + e];
                }
                sum += d * (sc & 15) * qx - dmin * (sc >> 4) * sx;
            }
        }
        return sum;
    }
}
