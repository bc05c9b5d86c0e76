package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ4_XS, 256 values in 136 bytes, 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d            super-scale
 *   2  u16  scales_h     top two bits of the 6-bit scale of sub-block j at bits 2j..2j+1
 *   4  u8   scales_l[4]  low four bits of scale j: nibble j%2 of byte j/2
 *   8  u8   qs[128]      4-bit grid indices, 16 bytes per sub-block laid out as one IQ4_NL block
 * </pre>
 * A value of sub-block j is {@code (d·(scale_j − 32))·KVALUES[index]} (grid of {@link IQ4_NLFormat}).
 */
public final class IQ4_XSFormat implements BlockFormat {
    public static final IQ4_XSFormat INSTANCE = new IQ4_XSFormat();
    public static final int BLOCK_VALUES = 256;
    public static final int BLOCK_BYTES = 136;
    public static final int SCALES_H = 2;
    public static final int SCALES_L = 4;
    public static final int QS = 8;

    private IQ4_XSFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    /** Signed scale (−32..31) of sub-block j. */
    static int scale(MemorySegment seg, long blk, int j) {
        int low = (LittleEndian.u8(seg, blk + SCALES_L + (j >> 1)) >> ((j & 1) << 2)) & 15;
        int high = (LittleEndian.u16(seg, blk + SCALES_H) >> (j << 1)) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            for (int j = 0; j < 8; j++) {
                float dl = d * scale(seg, blk, j);
                int o = outOff + b * BLOCK_VALUES + 32 * j;
                for (int l = 0; l < 32; l++) {
                    out[o + l] = dl * IQ4_NLFormat.value(seg, blk + QS + 16 * j, l);
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
            float d = LittleEndian.f16(seg, blk);
            for (int j = 0; j < 8; j++) {
                int xo = xOff + b * BLOCK_VALUES + 32 * j;
                float s = 0f;
                for (int l = 0; l < 32; l++) {
                    s += IQ4_NLFormat.value(seg, blk + QS + 16 * j, l) * x[xo + l];
                }
                sum += d * scale(seg, blk, j) * s;
            }
        }
        return sum;
    }
}
