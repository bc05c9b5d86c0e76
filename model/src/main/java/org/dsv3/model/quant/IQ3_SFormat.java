package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ3_S, 256 values in 110 bytes (3.44 bits per weight), 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d
 *   2  u8   qs[64]      low 8 bits of one grid index per 4 values
 *  66  u8   qh[8]       sub-block j: bit k is bit 8 of the index of its k-th 4 values
 *  74  u8   signs[32]   the 8 sign bits of each group of 8 values
 * 106  u8   scales[4]   4-bit scale of sub-block j: nibble j%2 of byte j/2
 * </pre>
 * A value is {@code d·(1 + 2·scale) · grid[index][l] · sign} ({@link IQuantGrids#IQ3S}).
 */
public final class IQ3_SFormat extends GridFormat {
    public static final IQ3_SFormat INSTANCE = new IQ3_SFormat();
    public static final int BLOCK_BYTES = 110;
    public static final int QS = 2;
    public static final int QH = 66;
    public static final int SIGNS = 74;
    public static final int SCALES = 106;

    private IQ3_SFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_S;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = LittleEndian.f16(seg, blk);
        for (int j = 0; j < 8; j++) {
            int s = LittleEndian.u8(seg, blk + SCALES + j / 2) >> (4 * (j & 1)) & 15;
            float db = d * (1 + 2 * s);
            factor[2 * j] = db;
            factor[2 * j + 1] = db;
            int qh = LittleEndian.u8(seg, blk + QH + j);
            for (int g = 0; g < 4; g++) {
                long qs = blk + QS + 8L * j + 2L * g;
                int lo = LittleEndian.u8(seg, qs) | (qh >> (2 * g) & 1) << 8;
                int hi = LittleEndian.u8(seg, qs + 1) | (qh >> (2 * g + 1) & 1) << 8;
                long grid = IQuantGrids.pair(IQuantGrids.IQ3S[lo], IQuantGrids.IQ3S[hi]);
                put8(q, 32 * j + 8 * g, IQuantGrids.withSigns(grid, LittleEndian.u8(seg, blk + SIGNS + 4L * j + g)));
            }
        }
    }
}
