package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.RawBytes.halfAt;
import static org.dsv3.tornado.kernels.RawBytes.signedByte;
import static org.dsv3.tornado.kernels.RawBytes.u16;
import static org.dsv3.tornado.kernels.RawBytes.u8;
import static org.dsv3.tornado.kernels.RawBytes.word;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The lattice i-quants on the device (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S), read
 * in place. Their values are points of a fixed grid, so the kernels need the grid: an i-quant
 * tensor goes up with its type's grid in front of its blocks ({@link #headerBytes} bytes, at most
 * 16 KiB; built on the host from {@code org.dsv3.model.quant.IQuantGrids}), and every address here
 * is shifted past it. Grid entry {@code e} of an 8-value grid is words {@code 2e, 2e+1} (value t in
 * byte t), of a 4-value grid word {@code e}; IQ1's points are the bytes −1, 0, 1.
 *
 * <p>A unit of work is one group of 8 values, i.e. one grid entry with its sign bits and its
 * sub-block factor: unit u of a row lies in block {@code u/32}, sub-block {@code j = (u%32)/4},
 * group {@code g = u%4} of it. Block layouts: the scalar {@code org.dsv3.model.quant.IQ*Format}
 * classes, the reference these kernels are tested against.
 */
public final class IQuantDot {
    private IQuantDot() {
    }

    /** Bytes of grid placed before the blocks of a tensor of type {@code type}; 0 for other types. */
    public static int headerBytes(int type) {
        int entries = 0;
        int bytesPerEntry = 8;
        if (type == WeightType.IQ1_S || type == WeightType.IQ1_M) {
            entries = 2048;
        } else if (type == WeightType.IQ2_XXS) {
            entries = 256;
        } else if (type == WeightType.IQ2_XS) {
            entries = 512;
        } else if (type == WeightType.IQ2_S) {
            entries = 1024;
        } else if (type == WeightType.IQ3_XXS) {
            entries = 256;
            bytesPerEntry = 4;
        } else if (type == WeightType.IQ3_S) {
            entries = 512;
            bytesPerEntry = 4;
        }
        return entries * bytesPerEntry;
    }

    /** This lane's share of the dot product of the row at byte {@code row} (header not counted) with {@code x[xOff …]}. */
    public static float row(int type, IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        int base = row + headerBytes(type);
        int blockBytes = WeightType.blockBytes(type);
        float sum = 0f;
        int units = cols >> 3;
        for (int u = lane; u < units; u += lanes) {
            int blk = base + (u >> 5) * blockBytes;
            int j = (u >> 2) & 7;
            int g = u & 3;
            int signs = signs(type, w, blk, j, g);
            int lo = entry(type, w, blk, j, g, 0);
            int hi = entry(type, w, blk, j, g, 1);
            int xi = xOff + (u << 3);
            float s = 0f;
            float sx = 0f;
            for (int t = 0; t < 4; t++) {
                float x0 = x.get(xi + t);
                float x1 = x.get(xi + 4 + t);
                float v0 = signedByte(lo, t) * x0;
                float v1 = signedByte(hi, t) * x1;
                s += ((signs >> t) & 1) != 0 ? -v0 : v0;
                s += ((signs >> (t + 4)) & 1) != 0 ? -v1 : v1;
                sx += x0 + x1;
            }
            sum += factor(type, w, blk, j, g) * (s + offset(type, w, blk, j, g) * sx);
        }
        return sum;
    }

    /** Value {@code i} of the row at byte {@code row} (header not counted). */
    public static float at(int type, IntArray w, int row, int i) {
        int u = i >> 3;
        int t = i & 7;
        int blk = row + headerBytes(type) + (u >> 5) * WeightType.blockBytes(type);
        int j = (u >> 2) & 7;
        int g = u & 3;
        float v = signedByte(entry(type, w, blk, j, g, t >> 2), t & 3) + offset(type, w, blk, j, g);
        float signed = ((signs(type, w, blk, j, g) >> t) & 1) != 0 ? -v : v;
        return factor(type, w, blk, j, g) * signed;
    }

    /** ggml's {@code ksigns_iq2xs}: seven stored sign bits and their parity as the eighth. */
    public static int evenSigns(int seven) {
        int p = seven ^ (seven >> 4);
        p ^= p >> 2;
        p ^= p >> 1;
        return seven | ((p & 1) << 7);
    }

    /** The 8 sign bits of group g of sub-block j (0 for IQ1, whose signs live in its grid). */
    static int signs(int type, IntArray w, int blk, int j, int g) {
        int s = 0;
        if (type == WeightType.IQ2_XXS) {
            s = evenSigns((word(w, blk + 6 + 8 * j) >> (7 * g)) & 127);
        } else if (type == WeightType.IQ2_XS) {
            s = evenSigns((u16(w, blk + 2 + 2 * (4 * j + g)) >> 9) & 127);
        } else if (type == WeightType.IQ2_S) {
            s = u8(w, blk + 34 + 4 * j + g);
        } else if (type == WeightType.IQ3_XXS) {
            s = evenSigns((word(w, blk + 66 + 4 * j) >> (7 * g)) & 127);
        } else if (type == WeightType.IQ3_S) {
            s = u8(w, blk + 74 + 4 * j + g);
        }
        return s;
    }

    /** Values 4·half … 4·half+3 of the group's grid point, as four signed bytes. */
    static int entry(int type, IntArray w, int blk, int j, int g, int half) {
        int e = 0;
        if (type == WeightType.IQ2_XXS) {
            e = w.get(2 * u8(w, blk + 2 + 8 * j + g) + half);
        } else if (type == WeightType.IQ2_XS) {
            e = w.get(2 * (u16(w, blk + 2 + 2 * (4 * j + g)) & 511) + half);
        } else if (type == WeightType.IQ2_S) {
            int index = u8(w, blk + 2 + 4 * j + g) | (((u8(w, blk + 66 + j) >> (2 * g)) & 3) << 8);
            e = w.get(2 * index + half);
        } else if (type == WeightType.IQ3_XXS) {
            e = w.get(u8(w, blk + 2 + 8 * j + 2 * g + half));
        } else if (type == WeightType.IQ3_S) {
            int k = 2 * g + half;
            e = w.get(u8(w, blk + 2 + 8 * j + k) | (((u8(w, blk + 66 + j) >> k) & 1) << 8));
        } else if (type == WeightType.IQ1_S) {
            int index = u8(w, blk + 2 + 4 * j + g) | (((u16(w, blk + 34 + 2 * j) >> (3 * g)) & 7) << 8);
            e = w.get(2 * index + half);
        } else if (type == WeightType.IQ1_M) {
            int qh = u8(w, blk + 32 + 2 * j + (g >> 1)) >> (4 * (g & 1));
            e = w.get(2 * (u8(w, blk + 4 * j + g) | ((qh & 7) << 8)) + half);
        }
        return e;
    }

    /** IQ1's ±1/8 added to every grid value of the group; 0 for the other types. */
    static float offset(int type, IntArray w, int blk, int j, int g) {
        float o = 0f;
        if (type == WeightType.IQ1_S) {
            o = (u16(w, blk + 34 + 2 * j) & 0x8000) != 0 ? -0.125f : 0.125f;
        } else if (type == WeightType.IQ1_M) {
            int qh = u8(w, blk + 32 + 2 * j + (g >> 1)) >> (4 * (g & 1));
            o = (qh & 8) != 0 ? -0.125f : 0.125f;
        }
        return o;
    }

    /** The factor of group g of sub-block j (values 16·(2j + g/2) …), as the scalar formats compute it. */
    static float factor(int type, IntArray w, int blk, int j, int g) {
        float f = 0f;
        if (type == WeightType.IQ2_XXS) {
            f = halfAt(w, blk) * (0.5f + ((word(w, blk + 6 + 8 * j) >> 28) & 15)) * 0.25f;
        } else if (type == WeightType.IQ2_XS || type == WeightType.IQ2_S) {
            int sc = u8(w, blk + (type == WeightType.IQ2_XS ? 66 : 74) + j);
            f = halfAt(w, blk) * (0.5f + ((sc >> (g < 2 ? 0 : 4)) & 15)) * 0.25f;
        } else if (type == WeightType.IQ3_XXS) {
            f = halfAt(w, blk) * (0.5f + ((word(w, blk + 66 + 4 * j) >> 28) & 15)) * 0.5f;
        } else if (type == WeightType.IQ3_S) {
            f = halfAt(w, blk) * (1 + 2 * ((u8(w, blk + 106 + (j >> 1)) >> (4 * (j & 1))) & 15));
        } else if (type == WeightType.IQ1_S) {
            f = halfAt(w, blk) * (2 * ((u16(w, blk + 34 + 2 * j) >> 12) & 7) + 1);
        } else if (type == WeightType.IQ1_M) {
            int bits = ((u16(w, blk + 48) >> 12) & 15) | (((u16(w, blk + 50) >> 12) & 15) << 4)
                    | (((u16(w, blk + 52) >> 12) & 15) << 8) | (((u16(w, blk + 54) >> 12) & 15) << 12);
            int sc = u16(w, blk + 48 + 2 * (j >> 1)) >> (6 * (j & 1));
            f = RawBytes.half(bits) * (2 * ((sc >> (g < 2 ? 0 : 3)) & 7) + 1);
        }
        return f;
    }
}
