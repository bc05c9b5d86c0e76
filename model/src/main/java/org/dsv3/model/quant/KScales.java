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

    /** Writes eight 6-bit scales and mins (each 0..63) in the layout above. */
    public static void pack(int[] scales, int[] mins, MemorySegment seg, long at) {
        for (int j = 0; j < 4; j++) {
            LittleEndian.putU8(seg, at + j, scales[j] | (scales[j + 4] >> 4) << 6);
            LittleEndian.putU8(seg, at + j + 4, mins[j] | (mins[j + 4] >> 4) << 6);
            LittleEndian.putU8(seg, at + j + 8, (scales[j + 4] & 15) | (mins[j + 4] & 15) << 4);
        }
    }
}
