package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.RawBytes.halfAt;
import static org.dsv3.tornado.kernels.RawBytes.u8;
import static org.dsv3.tornado.kernels.RawBytes.word;

import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * A run of {@link #LENGTH} consecutive values of a row (starting at a multiple of 16), decoded together
 * for the batched products' weight tiles: within a run every value is {@code scale·q + offset} with one
 * scale and one offset (a run never crosses a block, a K-quant sub-block or a Q6_K scale group) and an
 * unsigned integer {@code q < 256}, and the q of four neighbouring values come from one or two aligned
 * words ({@link #quads}: byte b of the result is the q of value {@code k + b}). The block scales are thus
 * decoded once per 16 values instead of once per value ({@link BlockValue#at}), and a value costs a byte
 * extraction and a multiply–add. Signed quants are biased into bytes ({@code q + 128} for Q8_0,
 * {@code q + 32} for Q6_K's {@code q − 32} …), the bias folded into the offset; since {@code scale·q} and
 * {@code scale·bias} are exact in float for these types (a half times at most 14 bits), the value is the
 * one {@link BlockValue#at} computes up to the rounding of one addition.
 *
 * <p>Types: {@link #isRun}. The others (float types, Q2_K, Q3_K, the i-quants) are read value by value.
 * Layouts as in {@code org.dsv3.model.quant.*Format} (docs/architecture.md §9.2).
 */
public final class BlockRun {
    /** Values of a run. */
    public static final int LENGTH = 16;

    private BlockRun() {
    }

    /** Whether rows of {@code type} are read in runs. */
    public static boolean isRun(int type) {
        return type == WeightType.Q8_0 || type == WeightType.Q8_0_SPLIT || type == WeightType.Q4_0
                || type == WeightType.Q4_1 || type == WeightType.Q5_0 || type == WeightType.Q5_1
                || type == WeightType.Q4_K || type == WeightType.Q5_K || type == WeightType.Q6_K;
    }

    /** The scale of the run at {@code k} (a multiple of 16) of the row at byte {@code row} of {@code cols} values. */
    public static float scale(int type, IntArray w, int row, int cols, int k) {
        float s = 0f;
        if (type == WeightType.Q8_0_SPLIT) {
            s = halfAt(w, row + cols + ((k >> 5) << 1));
        } else if (WeightType.blockValues(type) == 32) {
            s = halfAt(w, row + (k >> 5) * WeightType.blockBytes(type));
        } else if (type == WeightType.Q6_K) {
            int blk = row + (k >> 8) * 210;
            s = halfAt(w, blk + 208) * RawBytes.signedByte(u8(w, blk + 192 + ((k & 255) >> 4)), 0);
        } else {
            // Q4_K, Q5_K: d times the 6-bit scale of sub-block j
            int blk = row + (k >> 8) * WeightType.blockBytes(type);
            int j = (k & 255) >> 5;
            int sc = j < 4 ? u8(w, blk + 4 + j) & 63 : (u8(w, blk + 8 + j) & 15) | ((u8(w, blk + j) >> 6) << 4);
            s = halfAt(w, blk) * sc;
        }
        return s;
    }

    /** The offset of the run at {@code k}: the block's min, minus the scale times the quants' bias. */
    public static float offset(int type, IntArray w, int row, int cols, int k) {
        float o = 0f;
        if (type == WeightType.Q8_0 || type == WeightType.Q8_0_SPLIT) {
            o = -128f * scale(type, w, row, cols, k);
        } else if (type == WeightType.Q4_0) {
            o = -8f * scale(type, w, row, cols, k);
        } else if (type == WeightType.Q5_0) {
            o = -16f * scale(type, w, row, cols, k);
        } else if (type == WeightType.Q6_K) {
            o = -32f * scale(type, w, row, cols, k);
        } else if (type == WeightType.Q4_1 || type == WeightType.Q5_1) {
            o = halfAt(w, row + (k >> 5) * WeightType.blockBytes(type) + 2);
        } else {
            // Q4_K, Q5_K: minus dmin times the 6-bit min of sub-block j
            int blk = row + (k >> 8) * WeightType.blockBytes(type);
            int j = (k & 255) >> 5;
            int mn = j < 4 ? u8(w, blk + 8 + j) & 63 : (u8(w, blk + 8 + j) >> 4) | ((u8(w, blk + 4 + j) >> 6) << 4);
            o = -halfAt(w, blk + 2) * mn;
        }
        return o;
    }

    /** The biased quants of values {@code k … k+3} ({@code k} a multiple of 4), one a byte, value k in the lowest. */
    public static int quads(int type, IntArray w, int row, int cols, int k) {
        int q = 0;
        if (type == WeightType.Q8_0_SPLIT) {
            // split rows start on a word (an even number of 34-byte blocks), their quants first, interleaved
            int lg = Q8Split.groupLog(cols >> 5);
            q = w.get((row >> 2) + Q8Split.word(lg, k >> 5, (k & 31) >> 2)) ^ 0x80808080;
        } else if (type == WeightType.Q8_0) {
            q = word(w, row + (k >> 5) * 34 + 2 + (k & 31)) ^ 0x80808080;
        } else if (WeightType.blockValues(type) == 32) {
            // Q4_0, Q4_1, Q5_0, Q5_1: value j is the low nibble of quant byte j (j < 16) or the high one of
            // byte j − 16, Q5's fifth bit is bit j of the 32-bit qh
            int blk = row + (k >> 5) * WeightType.blockBytes(type);
            int j = k & 31;
            int qsAt = type == WeightType.Q4_0 ? 2 : type == WeightType.Q4_1 ? 4 : type == WeightType.Q5_0 ? 6 : 8;
            q = (word(w, blk + qsAt + (j & 15)) >> ((j & 16) >> 2)) & 0x0F0F0F0F;
            if (type == WeightType.Q5_0 || type == WeightType.Q5_1) {
                int h = (word(w, blk + qsAt - 4) >> j) & 15;
                q |= ((h & 1) | ((h & 2) << 7) | ((h & 4) << 14) | ((h & 8) << 21)) << 4;
            }
        } else if (type == WeightType.Q6_K) {
            // value e: low 4 bits from ql[64h + (r & 63)] (nibble r / 64), high 2 from qh[32h + (r & 31)] (pair r / 32),
            // h = e / 128, r = e % 128
            int blk = row + (k >> 8) * 210;
            int e = k & 255;
            int h = e >> 7;
            int r = e & 127;
            int low = (word(w, blk + (h << 6) + (r & 63)) >> ((r >> 6) << 2)) & 0x0F0F0F0F;
            int high = (word(w, blk + 128 + (h << 5) + (r & 31)) >> ((r >> 5) << 1)) & 0x03030303;
            q = low | (high << 4);
        } else {
            // Q4_K, Q5_K: sub-block j's value l is nibble j & 1 of quant byte 32·(j / 2) + l; Q5_K's fifth bit is
            // bit j of qh[l] (super-blocks are word multiples: 144 and 176 bytes)
            int blk = row + (k >> 8) * WeightType.blockBytes(type);
            int j = (k & 255) >> 5;
            int l = k & 31;
            int qsAt = type == WeightType.Q5_K ? 48 : 16;
            q = (w.get((blk + qsAt + ((j >> 1) << 5) + l) >> 2) >> ((j & 1) << 2)) & 0x0F0F0F0F;
            if (type == WeightType.Q5_K) {
                q |= ((w.get((blk + 16 + l) >> 2) >> j) & 0x01010101) << 4;
            }
        }
        return q;
    }
}
