package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ2_S, 256 values in 82 bytes (2.56 bits per weight), 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d
 *   2  u8   qs[32]      low 8 bits of the grid index of each group of 8 values
 *  34  u8   signs[32]   the 8 sign bits of each group
 *  66  u8   qh[8]       sub-block j: bits 2g..2g+1 are bits 8..9 of group g's index
 *  74  u8   scales[8]   sub-block j: low nibble for its first 16 values, high nibble for the last 16
 * </pre>
 * A value is {@code d·(0.5 + scale)/4 · grid[index][l] · sign} ({@link IQuantGrids#IQ2S}).
 */
public final class IQ2_SFormat extends GridFormat {
    public static final IQ2_SFormat INSTANCE = new IQ2_SFormat();
    public static final int BLOCK_BYTES = 82;
    public static final int QS = 2;
    public static final int SIGNS = 34;
    public static final int QH = 66;
    public static final int SCALES = 74;

    private IQ2_SFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_S;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = LittleEndian.f16(seg, blk);
        for (int j = 0; j < 8; j++) {
            nibbleScales(d, LittleEndian.u8(seg, blk + SCALES + j), factor, j);
            int qh = LittleEndian.u8(seg, blk + QH + j);
            for (int g = 0; g < 4; g++) {
                int k = 4 * j + g;
                int index = LittleEndian.u8(seg, blk + QS + k) | (qh >> (2 * g) & 3) << 8;
                put8(q, 8 * k, IQuantGrids.withSigns(IQuantGrids.IQ2S[index], LittleEndian.u8(seg, blk + SIGNS + k)));
            }
        }
    }
}
