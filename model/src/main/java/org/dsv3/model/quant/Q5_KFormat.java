package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K, 256 values in 176 bytes, 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d           super-scale for the scales
 *   2  f16  dmin        super-scale for the mins
 *   4  u8   scales[12]  8 six-bit scales and mins, see {@link KScales}
 *  16  u8   qh[32]      fifth bit of element l of sub-block j = (qh[l] &gt;&gt; j) &amp; 1
 *  48  u8   qs[128]     low four bits, laid out as in Q4_K
 * </pre>
 * A value of sub-block j is {@code (d·scale_j)·q − (dmin·min_j)}.
 */
public final class Q5_KFormat implements BlockFormat {
    public static final Q5_KFormat INSTANCE = new Q5_KFormat();
    public static final int BLOCK_VALUES = 256;
    public static final int BLOCK_BYTES = 176;
    public static final int SCALES = 4;
    public static final int QH = 16;
    public static final int QS = 48;

    private Q5_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    /** 5-bit quant of element l (0..31) of sub-block j. */
    static int quant(MemorySegment seg, long blk, int j, int l) {
        int low = Q4_KFormat.quant(seg, blk + QS, j, l);
        return low | ((LittleEndian.u8(seg, blk + QH + l) >> j) & 1) << 4;
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
                    out[o + l] = dl * quant(seg, blk, j, l) - ml;
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
                    qx += quant(seg, blk, j, l) * x[xo + l];
                    sx += x[xo + l];
                }
                sum += d * KScales.scale(seg, blk + SCALES, j) * qx - dmin * KScales.min(seg, blk + SCALES, j) * sx;
            }
        }
        return sum;
    }
}
