package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ1_S, 256 values in 50 bytes (1.56 bits per weight), 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d
 *   2  u8   qs[32]      low 8 bits of the 11-bit grid index of each group of 8 values
 *  34  u16  qh[8]       sub-block j: bits 3g..3g+2 = index bits 8..10 of group g, bits 12..14 = scale s,
 *                       bit 15 = sign of the offset
 * </pre>
 * A value is {@code d·(2s + 1) · (grid[index][l] ± 1/8)} with {@link IQuantGrids#IQ1S} points in
 * {−1, 0, 1}.
 */
public final class IQ1_SFormat extends GridFormat {
    public static final IQ1_SFormat INSTANCE = new IQ1_SFormat();
    public static final int BLOCK_BYTES = 50;
    public static final int QS = 2;
    public static final int QH = 34;

    private IQ1_SFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_S;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = LittleEndian.f16(seg, blk);
        for (int j = 0; j < 8; j++) {
            int qh = LittleEndian.u16(seg, blk + QH + 2L * j);
            float dl = d * (2 * (qh >> 12 & 7) + 1) * IQ1Offsets.EIGHTH;
            factor[2 * j] = dl;
            factor[2 * j + 1] = dl;
            long[] points = (qh & 0x8000) != 0 ? IQ1Offsets.MINUS : IQ1Offsets.PLUS;
            for (int g = 0; g < 4; g++) {
                int index = LittleEndian.u8(seg, blk + QS + 4L * j + g) | (qh >> (3 * g) & 7) << 8;
                put8(q, 32 * j + 8 * g, points[index]);
            }
        }
    }
}
