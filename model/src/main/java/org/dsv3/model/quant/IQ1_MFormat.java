package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ1_M, 256 values in 56 bytes (1.75 bits per weight), 8 sub-blocks of 32, each two halves of 16:
 * <pre>
 *   0  u8   qs[32]      low 8 bits of the 11-bit grid index of each group of 8 values
 *  32  u8   qh[16]      per pair of groups: bits 0..2 / 4..6 = index bits 8..10, bit 3 / 7 = offset sign
 *  48  u16  sc[4]       sub-block j: bits 6(j%2)..+2 = scale of its first half, +3..+5 = of its second half
 *                       (word j/2); bits 12..15 of the four words = the f16 super-scale d, low nibble first
 * </pre>
 * A value is {@code d·(2s + 1) · (grid[index][l] ± 1/8)} with {@link IQuantGrids#IQ1S} points.
 */
public final class IQ1_MFormat extends GridFormat {
    public static final IQ1_MFormat INSTANCE = new IQ1_MFormat();
    public static final int BLOCK_BYTES = 56;
    public static final int QH = 32;
    public static final int SCALES = 48;

    private IQ1_MFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_M;
    }

    /** The f16 bits of d, spread over the top nibbles of the four scale words. */
    public static int superScaleBits(MemorySegment seg, long blk) {
        int bits = 0;
        for (int w = 0; w < 4; w++) {
            bits |= (LittleEndian.u16(seg, blk + SCALES + 2L * w) >> 12) << (4 * w);
        }
        return bits;
    }

    @Override
    public void decode(MemorySegment seg, long blk, byte[] q, float[] factor) {
        float d = Float.float16ToFloat((short) superScaleBits(seg, blk));
        for (int j = 0; j < 8; j++) {
            int sc = LittleEndian.u16(seg, blk + SCALES + 2L * (j / 2)) >> (6 * (j & 1));
            factor[2 * j] = d * (2 * (sc & 7) + 1) * IQ1Offsets.EIGHTH;
            factor[2 * j + 1] = d * (2 * (sc >> 3 & 7) + 1) * IQ1Offsets.EIGHTH;
            for (int g = 0; g < 4; g++) {
                int qh = LittleEndian.u8(seg, blk + QH + 2L * j + g / 2) >> (4 * (g & 1));
                int index = LittleEndian.u8(seg, blk + 4L * j + g) | (qh & 7) << 8;
                long[] points = (qh & 8) != 0 ? IQ1Offsets.MINUS : IQ1Offsets.PLUS;
                put8(q, 32 * j + 8 * g, points[index]);
            }
        }
    }
}
