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
                        float magnitude = 0.001f + 0.05f * rnd.nextFloat();
                        LittleEndian.putF16(dst, blk + f, rnd.nextBoolean() ? magnitude : -magnitude);
                    }
                }
            }
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
            case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {Q2_KFormat.D, Q2_KFormat.DMIN};
            case Q3_K -> new int[] {Q3_KFormat.D};
            case Q6_K -> new int[] {Q6_KFormat.D};
            default -> throw new IllegalArgumentException("no block format for ggml type " + t);
        };
    }
}
