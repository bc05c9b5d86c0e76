package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte field of Q4_K and Q5_K blocks holding eight 6-bit sub-block scales and eight 6-bit
 * mins ({@code get_scale_min_k4} in ggml). With s = the 12 bytes:
 * <pre>
 *   j &lt; 4:  scale = s[j] &amp; 63                          min = s[j+4] &amp; 63
 *   j ≥ 4:  scale = (s[j+4] &amp; 15) | (s[j-4] &gt;&gt; 6) &lt;&lt; 4    min = (s[j+4] &gt;&gt; 4) | (s[j] &gt;&gt; 6) &lt;&lt; 4
 * </pre>
 */
public final class KScales {
    public static final int BYTES = 12;

    private KScales() {
    }

    /** Scale of sub-block {@code j} (0..7), the field starting at byte {@code at}. */
    public static int scale(MemorySegment seg, long at, int j) {
        if (j < 4) {
            return LittleEndian.u8(seg, at + j) & 63;
        }
        return (LittleEndian.u8(seg, at + j + 4) & 15) | ((LittleEndian.u8(seg, at + j - 4) >> 6) << 4);
    }

    /** Min of sub-block {@code j} (0..7). */
    public static int min(MemorySegment seg, long at, int j) {
        if (j < 4) {
            return LittleEndian.u8(seg, at + j + 4) & 63;
        }
        return (LittleEndian.u8(seg, at + j + 4) >> 4) | ((LittleEndian.u8(seg, at + j) >> 6) << 4);
    }

    /**
     * The effective per-sub-block factors of a Q4_K/Q5_K block: {@code out[j] = d·scale_j} and
     * {@code out[8+j] = dmin·min_j} for j = 0..7, so that value l of sub-block j is
     * {@code out[j]·q − out[8+j]} (the products exactly as the scalar formats form them).
     */
    public static void factors(MemorySegment seg, long at, float d, float dmin, float[] out) {
        // all 12 bytes in two reads, then unpacked in registers
        long lo = seg.get(LittleEndian.LONG, at);
        int hi = LittleEndian.i32(seg, at + 8);
        for (int j = 0; j < 4; j++) {
            int sj = (int) (lo >>> (8 * j)) & 0xFF;
            int sj4 = (int) (lo >>> (8 * j + 32)) & 0xFF;
            int sj8 = (hi >>> (8 * j)) & 0xFF;
            out[j] = d * (sj & 63);
            out[8 + j] = dmin * (sj4 & 63);
            out[4 + j] = d * ((sj8 & 15) | (sj >> 6) << 4);
            out[12 + j] = dmin * ((sj8 >> 4) | (sj4 >> 6) << 4);
        }
    }

    /** Writes eight 6-bit scales and mins (each 0..63) in the layout above. */
    public static void pack(int[] scales, int[] mins, MemorySegment seg, long at) {
        for (int j = 0; j < 4; j++) {
            LittleEndian.putU8(seg, at + j, scales[j] | (scales[j + 4] >> 4) << 6);
            LittleEndian.putU8(seg, at + j + 4, mins[j] | (mins[j + 4] >> 4) << 6);
            LittleEndian.putU8(seg, at + j + 8, (scales[j + 4] & 15) | (mins[j + 4] & 15) << 4);
        }
    }
}
