package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K, 256 values in 144 bytes, 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d           super-scale for the scales
 *   2  f16  dmin        super-scale for the mins
 *   4  u8   scales[12]  8 six-bit scales and mins, see {@link KScales}
 *  16  u8   qs[128]     4-bit quants: 32-byte chunk c holds sub-block 2c in its low nibbles
 *                       and sub-block 2c+1 in its high nibbles
 * </pre>
 * A value of sub-block j is {@code (d·scale_j)·q − (dmin·min_j)}.
 */
public final class Q4_KFormat implements BlockFormat {
    public static final Q4_KFormat INSTANCE = new Q4_KFormat();
    public static final int BLOCK_VALUES = 256;
    public static final int BLOCK_BYTES = 144;
    public static final int SCALES = 4;
    public static final int QS = 16;

    private Q4_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    /** 4-bit quant of element l (0..31) of sub-block j. */
    static int quant(MemorySegment seg, long qs, int j, int l) {
        return (LittleEndian.u8(seg, qs + ((j >> 1) << 5) + l) >> ((j & 1) << 2)) & 15;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            float dmin = LittleEndian.f16(seg, blk + 2);
            for (int j = 0; j < 8; j++) {
                float dl = d * KScales.scale(seg, blk + SCALES, j);
                float ml = dmin * KScales.min(seg, blk + SCALES, j);
                int o = outOff + b * BLOCK_VALUES + 32 * j;
                for (int l = 0; l < 32; l++) {
                    out[o + l] = dl * quant(seg, blk + QS, j, l) - ml;
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
            float dmin = LittleEndian.f16(seg, blk + 2);
            for (int j = 0; j < 8; j++) {
                int xo = xOff + b * BLOCK_VALUES + 32 * j;
                float qx = 0f;
                float sx = 0f;
                for (int l = 0; l < 32; l++) {
                    qx += quant(seg, blk + QS, j, l) * x[xo + l];
                    sx += x[xo + l];
                }
                sum += d * KScales.scale(seg, blk + SCALES, j) * qx - dmin * KScales.min(seg, blk + SCALES, j) * sx;
            }
        }
        return sum;
    }
}
