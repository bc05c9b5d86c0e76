package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.RawBytes.byteOf;
import static org.dsv3.tornado.kernels.RawBytes.halfAt;
import static org.dsv3.tornado.kernels.RawBytes.signedByte;
import static org.dsv3.tornado.kernels.RawBytes.u16;
import static org.dsv3.tornado.kernels.RawBytes.u8;
import static org.dsv3.tornado.kernels.RawBytes.word;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One lane's share of a row·vector dot product, reading GGUF blocks in place: {@code lanes} threads
 * split a row into "units" (a few contiguous bytes of one block with their scales) and lane
 * {@code lane} sums units {@code lane, lane+lanes, …}, so that neighbouring lanes read neighbouring
 * bytes. The caller adds the lanes' partial sums. Block layouts are those of the scalar
 * {@code org.dsv3.model.quant.*Format} classes, which are the reference these are tested against.
 *
 * <p>Arguments everywhere: raw tensor words {@code w}, byte address {@code row} of the row's first
 * block, row length {@code cols} (whole blocks), the vector {@code x} from {@code xOff}.
 */
public final class BlockDot {
    private BlockDot() {
    }

    /**
     * This lane's share of the dot product of a row of type {@code type} (a {@link WeightType} id)
     * with {@code x[xOff …]}. TornadoVM inlines every call (and specialises {@code type}, a task
     * constant, so only one branch survives); the whole dispatch exceeds Graal's default inlining
     * size, which is why the JVM runs with {@code -Djdk.graal.MaximumInliningSize} raised (see
     * tornado-config).
     */
    public static float row(int type, IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        return WeightType.isGrid(type) ? IQuantDot.row(type, w, row, cols, x, xOff, lane, lanes)
                : WeightType.isSuperBlock(type) ? superBlocks(type, w, row, cols, x, xOff, lane, lanes)
                : smallBlocks(type, w, row, cols, x, xOff, lane, lanes);
    }

    /** {@link #row} for types with blocks of 1 or 32 values. */
    public static float smallBlocks(int type, IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float s = 0f;
        if (type == WeightType.Q8_0_SPLIT) {
            s = q8_0Split(w, row, cols, x, xOff, lane, lanes);
        } else if (type == WeightType.Q8_0) {
            s = q8_0(w, row, cols, x, xOff, lane, lanes);
        } else if (type == WeightType.Q5_0) {
            s = q5_0(w, row, cols, x, xOff, lane, lanes, false);
        } else if (type == WeightType.Q5_1) {
            s = q5_0(w, row, cols, x, xOff, lane, lanes, true);
        } else if (type == WeightType.Q4_0) {
            s = q4_0(w, row, cols, x, xOff, lane, lanes, 0);
        } else if (type == WeightType.Q4_1) {
            s = q4_0(w, row, cols, x, xOff, lane, lanes, 1);
        } else if (type == WeightType.IQ4_NL) {
            s = q4_0(w, row, cols, x, xOff, lane, lanes, 2);
        } else if (type == WeightType.F16) {
            s = f16(w, row, cols, x, xOff, lane, lanes, false);
        } else if (type == WeightType.BF16) {
            s = f16(w, row, cols, x, xOff, lane, lanes, true);
        } else if (type == WeightType.F32) {
            s = f32(w, row, cols, x, xOff, lane, lanes);
        }
        return s;
    }

    /** {@link #row} for the 256-value block types (K-quants, IQ4_XS). */
    public static float superBlocks(int type, IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float s = 0f;
        if (type == WeightType.Q4_K) {
            s = q4_k(w, row, cols, x, xOff, lane, lanes);
        } else if (type == WeightType.Q6_K) {
            s = q6_k(w, row, cols, x, xOff, lane, lanes);
        } else if (type == WeightType.Q5_K) {
            s = q5_k(w, row, cols, x, xOff, lane, lanes);
        } else if (type == WeightType.Q2_K) {
            s = q2_k(w, row, cols, x, xOff, lane, lanes, false);
        } else if (type == WeightType.Q3_K) {
            s = q2_k(w, row, cols, x, xOff, lane, lanes, true);
        } else if (type == WeightType.IQ4_XS) {
            s = iq4_xs(w, row, cols, x, xOff, lane, lanes);
        }
        return s;
    }

    /**
     * Σ_k signed byte k of {@code q} · x[xi+k], k = 0..3. Flipping every byte's sign bit (one XOR for the
     * word) turns byte k into {@code b + 128} unsigned, so each signed value is a shift, a mask and a
     * subtraction, exactly.
     */
    /** {@link #dot4Signed} with the four x values already loaded (two rows sharing one load of x). */
    public static float dot4Signed(int q, float x0, float x1, float x2, float x3) {
        int f = q ^ 0x80808080;
        return ((f & 0xFF) - 128) * x0 + (((f >> 8) & 0xFF) - 128) * x1 + (((f >> 16) & 0xFF) - 128) * x2
                + (((f >> 24) & 0xFF) - 128) * x3;
    }

    private static float dot4Signed(int q, FloatArray x, int xi) {
        int f = q ^ 0x80808080;
        return ((f & 0xFF) - 128) * x.get(xi) + (((f >> 8) & 0xFF) - 128) * x.get(xi + 1)
                + (((f >> 16) & 0xFF) - 128) * x.get(xi + 2) + (((f >> 24) & 0xFF) - 128) * x.get(xi + 3);
    }

    /**
     * {@link WeightType#Q8_0_SPLIT} rows: a unit is one aligned word (4 quants) with its block's scale; the
     * row's scales follow its {@code 32·n} quant bytes. Neighbouring lanes take neighbouring words of x, so a
     * warp's reads of x span 512 bytes per load instead of the 1 KiB of 8-quant units; their weight words lie
     * 2^lg words apart ({@link Q8Split}: 8 sectors a warp load), the layout being arranged for the 8-bit rows,
     * which give a lane whole blocks.
     */
    public static float q8_0Split(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float sum = 0f;
        int units = cols >> 2;
        int words = row >> 2;
        int scales = row + cols;
        int lg = Q8Split.groupLog(cols >> 5);
        for (int u = lane; u < units; u += lanes) {
            int q = w.get(words + Q8Split.word(lg, u >> 3, u & 7));
            sum += halfAt(w, scales + ((u >> 3) << 1)) * dot4Signed(q, x, xOff + (u << 2));
        }
        return sum;
    }

    /** Q8_0 (34-byte blocks of 32): a unit is 8 quants, four units per block. */
    public static float q8_0(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float sum = 0f;
        int units = cols >> 3;
        for (int u = lane; u < units; u += lanes) {
            int blk = row + (u >> 2) * 34;
            int a = blk + 2 + ((u & 3) << 3);
            int xi = xOff + (u << 3);
            float s = dot4Signed(word(w, a), x, xi) + dot4Signed(word(w, a + 4), x, xi + 4);
            sum += halfAt(w, blk) * s;
        }
        return sum;
    }

    /** Entry {@code i} (0..15) of ggml's IQ4_NL grid {-127, -104, …, 113}, packed four to an int. */
    public static int iq4Grid(int i) {
        int k = i >> 2;
        int packed = k == 0 ? 0xBFAD9881 : k == 1 ? 0xF6EADDCF : k == 2 ? 0x26190D01 : 0x71594535;
        return signedByte(packed, i & 3);
    }

    /**
     * Q4_0 ({@code kind} 0: value {@code d·(q−8)}), Q4_1 (1: {@code d·q + m}) and IQ4_NL (2:
     * {@code d·grid[q]}): 32 values whose nibbles sit in 16 bytes (value j low nibble of byte j,
     * value j+16 high nibble). A unit is 4 bytes, i.e. values j..j+3 and j+16..j+19.
     */
    public static float q4_0(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes, int kind) {
        int blockBytes = kind == 1 ? 20 : 18;
        int qsAt = kind == 1 ? 4 : 2;
        float sum = 0f;
        int units = cols >> 3;
        for (int u = lane; u < units; u += lanes) {
            int b = u >> 2;
            int part = u & 3;
            int blk = row + b * blockBytes;
            int q = word(w, blk + qsAt + (part << 2));
            int xi = xOff + (b << 5) + (part << 2);
            float s = 0f;
            float sx = 0f;
            for (int k = 0; k < 4; k++) {
                int lo = (q >> (8 * k)) & 15;
                int hi = (q >> (8 * k + 4)) & 15;
                float x0 = x.get(xi + k);
                float x1 = x.get(xi + 16 + k);
                float v0 = kind == 2 ? iq4Grid(lo) : lo;
                float v1 = kind == 2 ? iq4Grid(hi) : hi;
                s += v0 * x0 + v1 * x1;
                sx += x0 + x1;
            }
            float d = halfAt(w, blk);
            float contrib = d * s;
            if (kind == 0) {
                contrib = d * (s - 8f * sx);
            } else if (kind == 1) {
                contrib = d * s + halfAt(w, blk + 2) * sx;
            }
            sum += contrib;
        }
        return sum;
    }

    /**
     * Q5_0 (value {@code d·(q−16)}) and Q5_1 ({@code withMin}: {@code d·q + m}): Q4_0's nibbles plus
     * a 32-bit word of fifth bits. A unit is 4 nibble bytes (8 values).
     */
    public static float q5_0(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes, boolean withMin) {
        int blockBytes = withMin ? 24 : 22;
        int qhAt = withMin ? 4 : 2;
        float sum = 0f;
        int units = cols >> 3;
        for (int u = lane; u < units; u += lanes) {
            int b = u >> 2;
            int part = u & 3;
            int blk = row + b * blockBytes;
            int qh = word(w, blk + qhAt);
            int q = word(w, blk + qhAt + 4 + (part << 2));
            int j = part << 2;
            int xi = xOff + (b << 5) + j;
            float s = 0f;
            float sx = 0f;
            for (int k = 0; k < 4; k++) {
                int lo = ((q >> (8 * k)) & 15) | (((qh >> (j + k)) & 1) << 4);
                int hi = ((q >> (8 * k + 4)) & 15) | (((qh >> (j + k + 16)) & 1) << 4);
                float x0 = x.get(xi + k);
                float x1 = x.get(xi + 16 + k);
                s += lo * x0 + hi * x1;
                sx += x0 + x1;
            }
            float d = halfAt(w, blk);
            sum += withMin ? d * s + halfAt(w, blk + 2) * sx : d * (s - 16f * sx);
        }
        return sum;
    }

    /**
     * Q4_K (144-byte blocks of 256, 8 sub-blocks of 32). A unit is one word of {@code qs}: 4 bytes of
     * the 32-byte chunk c, i.e. 4 values of sub-block 2c (low nibbles) and the 4 values 32 further of
     * sub-block 2c+1 (high nibbles); 32 units a block, so a warp's lanes share the block's scales and
     * read x in four 128-byte runs per load.
     */
    public static float q4_k(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        return kQuant(w, row, cols, x, xOff, lane, lanes, false);
    }

    /** Q5_K (176-byte blocks): Q4_K plus a fifth bit per value, {@code (qh[l] >> j) & 1}. */
    public static float q5_k(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        return kQuant(w, row, cols, x, xOff, lane, lanes, true);
    }

    /** Every field of a Q4_K/Q5_K block is word-aligned (144 and 176 bytes, rows of whole blocks): plain word reads. */
    private static float kQuant(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes, boolean fiveBit) {
        int blockBytes = fiveBit ? 176 : 144;
        int qsAt = fiveBit ? 48 : 16;
        float sum = 0f;
        int units = cols >> 3;
        for (int u = lane; u < units; u += lanes) {
            int b = u >> 5;
            int c = (u & 31) >> 3;
            int o = (u & 7) << 2;
            int blk = row + b * blockBytes;
            int s0 = w.get((blk + 4) >> 2);
            int s1 = w.get((blk + 8) >> 2);
            int s2 = w.get((blk + 12) >> 2);
            int j0 = 2 * c;
            int j1 = j0 + 1;
            int q = w.get((blk + qsAt + (c << 5) + o) >> 2);
            int h = fiveBit ? w.get((blk + 16 + o) >> 2) : 0;
            int x0 = xOff + (b << 8) + (c << 6) + o;
            float sLo = 0f;
            float sHi = 0f;
            float xLo = 0f;
            float xHi = 0f;
            for (int k = 0; k < 4; k++) {
                int hb = byteOf(h, k);
                int lo = ((q >> (8 * k)) & 15) | (((hb >> j0) & 1) << 4);
                int hi = ((q >> (8 * k + 4)) & 15) | (((hb >> j1) & 1) << 4);
                float a = x.get(x0 + k);
                float bb = x.get(x0 + 32 + k);
                sLo += lo * a;
                sHi += hi * bb;
                xLo += a;
                xHi += bb;
            }
            // the 6-bit scales and mins of sub-blocks j0 (even) and j1 = j0 + 1 (ggml's get_scale_min_k4): byte
            // j0 & 3 of each scale word and the byte after it, shifted down together; j0 < 4 reads s0/s1 directly,
            // j0 >= 4 takes its low 4 bits from s2 and its top 2 from s0 (scale) or s1 (min)
            int shift = (j0 & 3) << 3;
            int b0 = s0 >>> shift;
            int b1 = s1 >>> shift;
            int b2 = s2 >>> shift;
            boolean first = j0 < 4;
            int sc0 = first ? b0 & 63 : (b2 & 15) | (((b0 >> 6) & 3) << 4);
            int mn0 = first ? b1 & 63 : ((b2 >> 4) & 15) | (((b1 >> 6) & 3) << 4);
            int sc1 = first ? (b0 >> 8) & 63 : ((b2 >> 8) & 15) | (((b0 >> 14) & 3) << 4);
            int mn1 = first ? (b1 >> 8) & 63 : ((b2 >> 12) & 15) | (((b1 >> 14) & 3) << 4);
            float d = halfAt(w, blk);
            float dmin = halfAt(w, blk + 2);
            sum += d * sc0 * sLo - dmin * mn0 * xLo + d * sc1 * sHi - dmin * mn1 * xHi;
        }
        return sum;
    }

    /**
     * Q6_K (210-byte blocks of 256, 16 sub-blocks of 16). A unit is one word of {@code ql}: bytes
     * {@code p … p+3} of half h's 64 (p = 0, 4, …, 60), i.e. values {@code 128h + p + i} (low nibbles) and
     * {@code 128h + 64 + p + i} (high nibbles), whose top two bits sit in {@code qh[32h + p%32 + i]} (bits
     * 0–1 / 4–5 for p < 32, 2–3 / 6–7 above). 32 units a block: a warp's lanes read x in four runs per load.
     */
    public static float q6_k(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float sum = 0f;
        int units = cols >> 3;
        for (int u = lane; u < units; u += lanes) {
            int b = u >> 5;
            int h = (u & 31) >> 4;
            int p = (u & 15) << 2;
            int blk = row + b * 210;
            int q = word(w, blk + (h << 6) + p);
            int hq = word(w, blk + 128 + (h << 5) + (p & 31));
            int shiftLo = (p >> 5) << 1;
            int x0 = xOff + (b << 8) + (h << 7) + p;
            float sLo = 0f;
            float sHi = 0f;
            for (int i = 0; i < 4; i++) {
                int hb = byteOf(hq, i);
                int lo = (((q >> (8 * i)) & 15) | (((hb >> shiftLo) & 3) << 4)) - 32;
                int hi = (((q >> (8 * i + 4)) & 15) | (((hb >> (shiftLo + 4)) & 3) << 4)) - 32;
                sLo += lo * x.get(x0 + i);
                sHi += hi * x.get(x0 + 64 + i);
            }
            int scLo = signedByte(u8(w, blk + 192 + (h << 3) + (p >> 4)), 0);
            int scHi = signedByte(u8(w, blk + 192 + (h << 3) + 4 + (p >> 4)), 0);
            sum += halfAt(w, blk + 208) * (scLo * sLo + scHi * sHi);
        }
        return sum;
    }

    /**
     * Q2_K (84-byte blocks) and Q3_K ({@code threeBit}, 110-byte blocks): 2-bit quants
     * {@code (qs[32h+l] >> 2s) & 3} for value 128h + 32s + l. A unit is 16 {@code qs} bytes
     * (l = l0 … l0+15), i.e. 16 values in each of the four sub-blocks 8h + 2s + l0/16.
     */
    public static float q2_k(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes, boolean threeBit) {
        int blockBytes = threeBit ? 110 : 84;
        int qsAt = threeBit ? 32 : 16;
        float sum = 0f;
        int units = cols >> 6;
        for (int u = lane; u < units; u += lanes) {
            int b = u >> 2;
            int h = (u & 3) >> 1;
            int l0 = (u & 1) << 4;
            int blk = row + b * blockBytes;
            int qs = blk + qsAt + (h << 5) + l0;
            int xb = xOff + (b << 8) + (h << 7) + l0;
            float d = halfAt(w, blk + (threeBit ? 108 : 80));
            float dmin = threeBit ? 0f : halfAt(w, blk + 82);
            for (int s = 0; s < 4; s++) {
                float sq = 0f;
                float sx = 0f;
                for (int m = 0; m < 4; m++) {
                    int q = word(w, qs + 4 * m);
                    int hm = threeBit ? word(w, blk + l0 + 4 * m) : 0;
                    for (int k = 0; k < 4; k++) {
                        int v = (q >> (8 * k + 2 * s)) & 3;
                        int highBit = (byteOf(hm, k) >> (4 * h + s)) & 1;
                        int qv = threeBit ? v - (highBit == 0 ? 4 : 0) : v;
                        float xv = x.get(xb + 32 * s + 4 * m + k);
                        sq += qv * xv;
                        sx += xv;
                    }
                }
                int sub = 8 * h + 2 * s + (l0 >> 4);
                float contrib;
                if (threeBit) {
                    int sc = blk + 96;
                    int low = sub < 8 ? u8(w, sc + sub) & 15 : u8(w, sc + sub - 8) >> 4;
                    int high = (u8(w, sc + 8 + (sub & 3)) >> ((sub >> 2) << 1)) & 3;
                    contrib = d * ((low | (high << 4)) - 32) * sq;
                } else {
                    int sc = u8(w, blk + sub);
                    contrib = d * (sc & 15) * sq - dmin * (sc >> 4) * sx;
                }
                sum += contrib;
            }
        }
        return sum;
    }

    /** IQ4_XS (136-byte blocks of 256): a unit is one sub-block of 32 (16 bytes of grid indices). */
    public static float iq4_xs(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float sum = 0f;
        int units = cols >> 5;
        for (int u = lane; u < units; u += lanes) {
            int b = u >> 3;
            int j = u & 7;
            int blk = row + b * 136;
            int qs = blk + 8 + (j << 4);
            int xi = xOff + (u << 5);
            float s = 0f;
            for (int m = 0; m < 4; m++) {
                int q = word(w, qs + 4 * m);
                for (int k = 0; k < 4; k++) {
                    s += iq4Grid((q >> (8 * k)) & 15) * x.get(xi + 4 * m + k)
                            + iq4Grid((q >> (8 * k + 4)) & 15) * x.get(xi + 16 + 4 * m + k);
                }
            }
            int low = (u8(w, blk + 4 + (j >> 1)) >> ((j & 1) << 2)) & 15;
            int high = (u16(w, blk + 2) >> (j << 1)) & 3;
            sum += halfAt(w, blk) * ((low | (high << 4)) - 32) * s;
        }
        return sum;
    }

    /** F16 or BF16 ({@code brain}) rows: a unit is one word, two values. */
    public static float f16(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes, boolean brain) {
        float sum = 0f;
        int units = cols >> 1;
        for (int u = lane; u < units; u += lanes) {
            int v = word(w, row + (u << 2));
            float a = brain ? RawBytes.bf16(v & 0xFFFF) : RawBytes.half(v & 0xFFFF);
            float b = brain ? RawBytes.bf16((v >> 16) & 0xFFFF) : RawBytes.half((v >> 16) & 0xFFFF);
            sum += a * x.get(xOff + 2 * u) + b * x.get(xOff + 2 * u + 1);
        }
        return sum;
    }

    /** F32 rows: a unit is one value. */
    public static float f32(IntArray w, int row, int cols, FloatArray x, int xOff, int lane, int lanes) {
        float sum = 0f;
        for (int u = lane; u < cols; u += lanes) {
            sum += RawBytes.f32(word(w, row + (u << 2))) * x.get(xOff + u);
        }
        return sum;
    }
}
