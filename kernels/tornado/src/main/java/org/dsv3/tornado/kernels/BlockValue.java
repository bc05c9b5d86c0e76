package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.RawBytes.halfAt;
import static org.dsv3.tornado.kernels.RawBytes.u16;
import static org.dsv3.tornado.kernels.RawBytes.u8;
import static org.dsv3.tornado.kernels.RawBytes.word;

import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One stored value of a row, decoded on the device: value {@code i} of the row whose first block
 * starts at byte {@code row}. Used where single values are needed (the token-embedding row), not in
 * the matrix–vector products ({@link BlockDot}). Layouts as in {@code org.dsv3.model.quant.*Format}.
 */
public final class BlockValue {
    private BlockValue() {
    }

    /**
     * Value {@code i} of a row of {@code cols} values of type {@code type}, any layout the device holds
     * ({@link WeightType#Q8_0_SPLIT} needs the row length to find its scales).
     */
    public static float at(int type, IntArray w, int row, int cols, int i) {
        float v = 0f;
        if (type == WeightType.Q8_0_SPLIT) {
            int at = row + (Q8Split.word(Q8Split.groupLog(cols >> 5), i >> 5, (i & 31) >> 2) << 2) + (i & 3);
            v = halfAt(w, row + cols + ((i >> 5) << 1)) * RawBytes.signedByte(u8(w, at), 0);
        } else {
            v = at(type, w, row, i);
        }
        return v;
    }

    /** Value {@code i} of a row of type {@code type} in its GGUF layout (not {@link WeightType#Q8_0_SPLIT}). */
    public static float at(int type, IntArray w, int row, int i) {
        float v = 0f;
        if (type == WeightType.F32) {
            v = RawBytes.f32(word(w, row + 4 * i));
        } else if (type == WeightType.F16) {
            v = RawBytes.half(u16(w, row + 2 * i));
        } else if (type == WeightType.BF16) {
            v = RawBytes.bf16(u16(w, row + 2 * i));
        } else if (type == WeightType.Q8_0) {
            int blk = row + (i >> 5) * 34;
            v = halfAt(w, blk) * RawBytes.signedByte(u8(w, blk + 2 + (i & 31)), 0);
        } else if (WeightType.blockValues(type) == 32) {
            v = small(type, w, row, i);
        } else if (WeightType.isGrid(type)) {
            v = IQuantDot.at(type, w, row, i);
        } else {
            v = superBlock(type, w, row, i);
        }
        return v;
    }

    /** Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL: nibble j&15 of the 16 quant bytes, low for j &lt; 16. */
    private static float small(int type, IntArray w, int row, int i) {
        int j = i & 31;
        int blk = row + (i >> 5) * WeightType.blockBytes(type);
        int qsAt = type == WeightType.Q4_0 || type == WeightType.IQ4_NL ? 2 : type == WeightType.Q4_1 ? 4
                : type == WeightType.Q5_0 ? 6 : 8;
        int q = (u8(w, blk + qsAt + (j & 15)) >> (j < 16 ? 0 : 4)) & 15;
        int qhAt = type == WeightType.Q5_0 ? 2 : 4;
        int fifth = (word(w, blk + qhAt) >> j) & 1;
        float d = halfAt(w, blk);
        float v = d * (q - 8);
        if (type == WeightType.Q4_1) {
            v = d * q + halfAt(w, blk + 2);
        } else if (type == WeightType.Q5_0) {
            v = d * ((q | (fifth << 4)) - 16);
        } else if (type == WeightType.Q5_1) {
            v = d * (q | (fifth << 4)) + halfAt(w, blk + 2);
        } else if (type == WeightType.IQ4_NL) {
            v = d * BlockDot.iq4Grid(q);
        }
        return v;
    }

    /** The 256-value block types. */
    private static float superBlock(int type, IntArray w, int row, int i) {
        int e = i & 255;
        int blk = row + (i >> 8) * WeightType.blockBytes(type);
        float v = 0f;
        if (type == WeightType.Q4_K || type == WeightType.Q5_K) {
            int j = e >> 5;
            int l = e & 31;
            int qsAt = type == WeightType.Q5_K ? 48 : 16;
            int q = (u8(w, blk + qsAt + ((j >> 1) << 5) + l) >> ((j & 1) << 2)) & 15;
            if (type == WeightType.Q5_K) {
                q |= ((u8(w, blk + 16 + l) >> j) & 1) << 4;
            }
            int sc = j < 4 ? u8(w, blk + 4 + j) & 63 : (u8(w, blk + 8 + j) & 15) | ((u8(w, blk + j) >> 6) << 4);
            int mn = j < 4 ? u8(w, blk + 8 + j) & 63 : (u8(w, blk + 8 + j) >> 4) | ((u8(w, blk + 4 + j) >> 6) << 4);
            v = halfAt(w, blk) * sc * q - halfAt(w, blk + 2) * mn;
        } else if (type == WeightType.Q6_K) {
            int h = e >> 7;
            int r = e & 127;
            int low = (u8(w, blk + (h << 6) + (r & 63)) >> ((r >> 6) << 2)) & 15;
            int high = (u8(w, blk + 128 + (h << 5) + (r & 31)) >> ((r >> 5) << 1)) & 3;
            int sc = RawBytes.signedByte(u8(w, blk + 192 + (e >> 4)), 0);
            v = halfAt(w, blk + 208) * sc * ((low | (high << 4)) - 32);
        } else if (type == WeightType.Q2_K || type == WeightType.Q3_K) {
            boolean three = type == WeightType.Q3_K;
            int r = e & 127;
            int q = (u8(w, blk + (three ? 32 : 16) + ((e >> 7) << 5) + (r & 31)) >> ((r >> 5) << 1)) & 3;
            int sub = e >> 4;
            if (three) {
                int hbit = (u8(w, blk + (e & 31)) >> (e >> 5)) & 1;
                int low = sub < 8 ? u8(w, blk + 96 + sub) & 15 : u8(w, blk + 96 + sub - 8) >> 4;
                int high = (u8(w, blk + 104 + (sub & 3)) >> ((sub >> 2) << 1)) & 3;
                v = halfAt(w, blk + 108) * ((low | (high << 4)) - 32) * (hbit == 0 ? q - 4 : q);
            } else {
                int sc = u8(w, blk + sub);
                v = halfAt(w, blk + 80) * (sc & 15) * q - halfAt(w, blk + 82) * (sc >> 4);
            }
        } else if (type == WeightType.IQ4_XS) {
            int j = e >> 5;
            int l = e & 31;
            int q = (u8(w, blk + 8 + (j << 4) + (l & 15)) >> (l < 16 ? 0 : 4)) & 15;
            int low = (u8(w, blk + 4 + (j >> 1)) >> ((j & 1) << 2)) & 15;
            int high = (u16(w, blk + 2) >> (j << 1)) & 3;
            v = halfAt(w, blk) * ((low | (high << 4)) - 32) * BlockDot.iq4Grid(q);
        }
        return v;
    }
}
