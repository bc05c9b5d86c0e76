package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q3_K, 256 values in 110 bytes, 16 sub-blocks of 16:
 * <pre>
 *   0  u8   hmask[32]   value e's high bit = (hmask[e%32] &gt;&gt; (e/32)) &amp; 1
 *  32  u8   qs[64]      low two bits, laid out as in Q2_K
 *  96  u8   scales[12]  sixteen 6-bit signed scales (stored +32): scale i's low nibble is
 *                       byte i (i &lt; 8) or the high nibble of byte i−8; its top two bits are
 *                       (byte 8 + i%4 &gt;&gt; 2·(i/4)) &amp; 3
 * 108  f16  d           super-scale
 * </pre>
 * The quant is {@code low2 − 4} when the high bit is clear and {@code low2} when it is set;
 * a value of sub-block i is {@code (d·(scale_i − 32))·q}.
 */
public final class Q3_KFormat implements BlockFormat {
    public static final Q3_KFormat INSTANCE = new Q3_KFormat();
    public static final int BLOCK_VALUES = 256;
    public static final int BLOCK_BYTES = 110;
    public static final int HMASK = 0;
    public static final int QS = 32;
    public static final int SCALES = 96;
    public static final int D = 108;

    private Q3_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** Signed scale of sub-block i (−32..31). */
    static int scale(MemorySegment seg, long blk, int i) {
        long s = blk + SCALES;
        int low = i < 8 ? LittleEndian.u8(seg, s + i) & 15 : LittleEndian.u8(seg, s + i - 8) >> 4;
        int high = (LittleEndian.u8(seg, s + 8 + (i & 3)) >> ((i >> 2) << 1)) & 3;
        return (low | high << 4) - 32;
    }

    /** Signed quant (−4..3) of value e. */
    static int quant(MemorySegment seg, long blk, int e) {
        int r = e & 127;
        int low = (LittleEndian.u8(seg, blk + QS + ((e >> 7) << 5) + (r & 31)) >> ((r >> 5) << 1)) & 3;
        int high = (LittleEndian.u8(seg, blk + HMASK + (e & 31)) >> (e >> 5)) & 1;
        return high != 0 ? low : low - 4;
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BLOCK_BYTES;
            float d = LittleEndian.f16(seg, blk + D);
            int o = outOff + b * BLOCK_VALUES;
            for (int i = 0; i < 16; i++) {
                float dl = d * scale(seg, blk, i);
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    out[o + e] = dl * quant(seg, blk, e);
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
            float d = LittleEndian.f16(seg, blk + D);
            int xo = xOff + b * BLOCK_VALUES;
            for (int i = 0; i < 16; i++) {
                float qx = 0f;
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    qx += quant(seg, blk, e) * x[xo + e];
                }
                sum += d * scale(seg, blk, i) * qx;
            }
        }
        return sum;
    }
}
