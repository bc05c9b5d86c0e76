package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ2_XS, 256 values in 74 bytes (2.31 bits per weight), 8 sub-blocks of 32:
 * <pre>
 *   0  f16  d
 *   2  u16  qs[32]      per group of 8 values: a 9-bit grid index (bits 0..8), a 7-bit sign field (bits 9..15)
 *  66  u8   scales[8]   sub-block j: low nibble for its first 16 values, high nibble for the last 16
 * </pre>
 * A value is {@code d·(0.5 + scale)/4 · grid[index][l] · sign} ({@link IQuantGrids#IQ2XS}; the
 * eighth sign bit is the parity of the seven stored).
 */
public final class IQ2_XSFormat extends GridFormat {
    public static final IQ2_XSFormat INSTANCE = new IQ2_XSFormat();
    public static final int BLOCK_BYTES = 74;
    public static final int SCALES = 66;

    private IQ2_XSFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XS;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = LittleEndian.f16(seg, blk);
        for (int j = 0; j < 8; j++) {
            nibbleScales(d, LittleEndian.u8(seg, blk + SCALES + j), factor, j);
        }
        for (int g = 0; g < 32; g++) {
            int v = LittleEndian.u16(seg, blk + 2 + 2L * g);
            put8(q, 8 * g, IQuantGrids.withSigns(IQuantGrids.IQ2XS[v & 511], IQuantGrids.evenSigns(v >> 9)));
        }
    }
}
