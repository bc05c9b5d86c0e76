package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ3_XXS, 256 values in 98 bytes (3.06 bits per weight), 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d
 *   2  u8   qs[64]      one grid index per 4 values
 *  66  u32  aux[8]      sub-block j: four 7-bit sign fields (bits 7g..7g+6, one per group of 8) and a
 *                       4-bit scale (bits 28..31)
 * </pre>
 * A value is {@code d·(0.5 + scale)/2 · grid[index][l] · sign} ({@link IQuantGrids#IQ3XXS}; the
 * eighth sign bit is the parity of the seven stored).
 */
public final class IQ3_XXSFormat extends GridFormat {
    public static final IQ3_XXSFormat INSTANCE = new IQ3_XXSFormat();
    public static final int BLOCK_BYTES = 98;
    public static final int QS = 2;
    public static final int AUX = 66;

    private IQ3_XXSFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_XXS;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = LittleEndian.f16(seg, blk);
        for (int j = 0; j < 8; j++) {
            int aux = LittleEndian.i32(seg, blk + AUX + 4L * j);
            float db = halfStep(d, aux >>> 28, 0.5f);
            factor[2 * j] = db;
            factor[2 * j + 1] = db;
            for (int g = 0; g < 4; g++) {
                long qs = blk + QS + 8L * j + 2L * g;
                long grid = IQuantGrids.pair(IQuantGrids.IQ3XXS[LittleEndian.u8(seg, qs)],
                        IQuantGrids.IQ3XXS[LittleEndian.u8(seg, qs + 1)]);
                put8(q, 32 * j + 8 * g, IQuantGrids.withSigns(grid, IQuantGrids.evenSigns(aux >>> (7 * g) & 127)));
            }
        }
    }
}
