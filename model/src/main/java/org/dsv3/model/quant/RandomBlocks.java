package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;
import java.util.random.RandomGenerator;

/**
 * Fills memory with random but well-formed rows of any {@link BlockFormat} type: random quant
 * bits everywhere, and finite, moderate half-precision scales in the fields that hold them (so no
 * block decodes to NaN or infinity). For kernel tests and synthetic benchmark weights.
 */
public final class RandomBlocks {
    private RandomBlocks() {
    }

    /** Writes {@code n} values (whole blocks) of type {@code t} from byte {@code off} of {@code dst}. */
    public static void fill(GgmlType t, RandomGenerator rnd, MemorySegment dst, long off, int n) {
        int nb = BlockFormat.blocks(t, n);
        switch (t) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    LittleEndian.putF32(dst, off + 4L * i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    LittleEndian.putF16(dst, off + 2L * i, (float) rnd.nextGaussian());
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    LittleEndian.putU16(dst, off + 2L * i, Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16);
                }
            }
            default -> {
                int[] halfFields = halfFloatFields(t);
                for (int b = 0; b < nb; b++) {
                    long blk = off + (long) b * t.typeSize();
                    for (int i = 0; i < t.typeSize(); i++) {
                        LittleEndian.putU8(dst, blk + i, rnd.nextInt(256));
                    }
                    for (int f : halfFields) {
                        LittleEndian.putF16(dst, blk + f, randomScale(rnd));
                    }
                    if (t == GgmlType.IQ1_M) {
                        putIq1mScale(dst, blk, Float.floatToFloat16(randomScale(rnd)));
                    }
                }
            }
        }
    }

    private static float randomScale(RandomGenerator rnd) {
        float magnitude = 0.001f + 0.05f * rnd.nextFloat();
        return rnd.nextBoolean() ? magnitude : -magnitude;
    }

    /**
     * Sets the super-scale d (f16) of the lattice i-quant block at byte {@code blk}: the half at byte
     * 0, or for IQ1_M the top nibbles of its four scale words.
     */
    public static void setGridScale(GgmlType t, MemorySegment dst, long blk, float d) {
        if (!(BlockFormat.of(t) instanceof GridFormat)) {
            throw new IllegalArgumentException(t + " is not a lattice i-quant");
        }
        if (t == GgmlType.IQ1_M) {
            putIq1mScale(dst, blk, Float.floatToFloat16(d));
        } else {
            LittleEndian.putF16(dst, blk, d);
        }
    }

    /** IQ1_M keeps its f16 super-scale in the top nibbles of its four scale words (see {@link IQ1_MFormat}). */
    private static void putIq1mScale(MemorySegment dst, long blk, short bits) {
        for (int w = 0; w < 4; w++) {
            long at = blk + IQ1_MFormat.SCALES + 2L * w;
            int word = LittleEndian.u16(dst, at) & 0x0FFF | (bits >> (4 * w) & 15) << 12;
            LittleEndian.putU16(dst, at, word);
        }
    }

    /** Allocates and fills a heap segment with {@code n} random values of type {@code t}. */
    public static MemorySegment row(GgmlType t, RandomGenerator rnd, int n) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.toIntExact(t.bytesFor(n))]);
        fill(t, rnd, seg, 0, n);
        return seg;
    }

    /** Byte offsets of the half-precision scale fields within one block (see each format's layout). */
    static int[] halfFloatFields(GgmlType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS, IQ1_S, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S -> new int[] {0};
            case IQ1_M -> new int[0];
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {Q2_KFormat.D, Q2_KFormat.DMIN};
            case Q3_K -> new int[] {Q3_KFormat.D};
            case Q6_K -> new int[] {Q6_KFormat.D};
            default -> throw new IllegalArgumentException("no block format for ggml type " + t);
        };
    }
}
