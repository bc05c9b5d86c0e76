package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * IQ4_NL, 32 values in 18 bytes, laid out as Q4_0:
 * <pre>
 *   0  f16  d        scale
 *   2  u8   qs[16]   index j (j &lt; 16) = low nibble of qs[j], index j+16 = high nibble of qs[j]
 * </pre>
 * A value is {@code d · KVALUES[index]}, KVALUES being ggml's fixed non-linear 16-entry grid.
 */
public final class IQ4_NLFormat implements BlockFormat {
    public static final IQ4_NLFormat INSTANCE = new IQ4_NLFormat();
    public static final int BLOCK_VALUES = 32;
    public static final int BLOCK_BYTES = 18;
    public static final int QS = 2;

    /** ggml's {@code kvalues_iq4nl}. */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private IQ4_NLFormat() {
    }

    /** The grid value for a 4-bit index. */
    public static int kvalue(int index) {
        return KVALUES[index];
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    static int value(MemorySegment seg, long qs, int j) {
        int b = LittleEndian.u8(seg, qs + (j & 15));
        return KVALUES[(j < 16 ? b : b >> 4) & 0xF];
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk);
            int o = outOff + b * BLOCK_VALUES;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                out[o + j] = d * value(seg, blk + QS, j);
            }
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            int xo = xOff + b * BLOCK_VALUES;
            float s = 0f;
            for (int j = 0; j < BLOCK_VALUES; j++) {
                s += value(seg, blk + QS, j) * x[xo + j];
            }
            sum += LittleEndian.f16(seg, blk) * s;
        }
        return sum;
    }
}
