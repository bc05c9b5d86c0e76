package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ2_XXS, 256 values in 66 bytes (2.06 bits per weight), 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d
 *   2  u32  pairs[16]   sub-block j: word 2j = four grid indices (one byte per group of 8 values),
 *                       word 2j+1 = four 7-bit sign fields (bits 7g..7g+6) and a 4-bit scale (bits 28..31)
 * </pre>
 * Value l of group g is {@code d·(0.5 + scale)/4 · grid[index_g][l] · sign}, the grid being
 * {@link IQuantGrids#IQ2XXS} and the eighth sign bit the parity of the seven stored.
 */
public final class IQ2_XXSFormat extends GridFormat {
    public static final IQ2_XXSFormat INSTANCE = new IQ2_XXSFormat();
    public static final int BLOCK_BYTES = 66;

    private IQ2_XXSFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XXS;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = LittleEndian.f16(seg, blk);
        for (int j = 0; j < 8; j++) {
            long w = blk + 2 + 8L * j;
            int aux = LittleEndian.i32(seg, w + 4);
            float db = halfStep(d, aux >>> 28, 0.25f);
            factor[2 * j] = db;
            factor[2 * j + 1] = db;
            for (int g = 0; g < 4; g++) {
                long grid = IQuantGrids.IQ2XXS[LittleEndian.u8(seg, w + g)];
                put8(q, 32 * j + 8 * g, IQuantGrids.withSigns(grid, IQuantGrids.evenSigns(aux >>> (7 * g) & 127)));
            }
        }
    }
}
