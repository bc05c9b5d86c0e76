package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Scalar reference decoding of one ggml element type: how its blocks are laid out and what value
 * each stored element stands for. These implementations favour clarity; they are the oracle the
 * vectorised kernels are tested against. Dequantization is bit-exact with gguf-py's reference
 * dequantizer (all arithmetic in float32, no fused multiply-add).
 *
 * <p>Rows are sequences of whole blocks, so every {@code n} below must be a multiple of
 * {@code type().blockSize()}; offsets are byte offsets of a block start.
 */
public interface BlockFormat {
    GgmlType type();

    /** Dequantizes n values (a multiple of the block size) stored from byte {@code offset} of {@code seg} into out[outOff..outOff+n). */
    void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n);

    /** Σ_i w[i]·x[xOff+i] over n values stored from byte {@code offset} (a fused row·vector dot product, float32 accumulation). */
    float dot(MemorySegment seg, long offset, float[] x, int xOff, int n);

    /** Bytes taken by {@code n} values of this type. */
    default long bytesFor(int n) {
        return type().bytesFor(n);
    }

    /** The format of {@code t}; throws IllegalArgumentException naming the type when it is not supported. */
    static BlockFormat of(GgmlType t) {
        return switch (t) {
            case F32 -> F32Format.INSTANCE;
            case F16 -> F16Format.INSTANCE;
            case BF16 -> BF16Format.INSTANCE;
            case Q8_0 -> Q8_0Format.INSTANCE;
            case Q4_0 -> Q4_0Format.INSTANCE;
            case Q4_1 -> Q4_1Format.INSTANCE;
            case Q5_0 -> Q5_0Format.INSTANCE;
            case Q5_1 -> Q5_1Format.INSTANCE;
            case Q2_K -> Q2_KFormat.INSTANCE;
            case Q3_K -> Q3_KFormat.INSTANCE;
            case Q4_K -> Q4_KFormat.INSTANCE;
            case Q5_K -> Q5_KFormat.INSTANCE;
            case Q6_K -> Q6_KFormat.INSTANCE;
            case IQ4_NL -> IQ4_NLFormat.INSTANCE;
            case IQ4_XS -> IQ4_XSFormat.INSTANCE;
            case IQ1_S -> IQ1_SFormat.INSTANCE;
            case IQ1_M -> IQ1_MFormat.INSTANCE;
            case IQ2_XXS -> IQ2_XXSFormat.INSTANCE;
            case IQ2_XS -> IQ2_XSFormat.INSTANCE;
            case IQ2_S -> IQ2_SFormat.INSTANCE;
            case IQ3_XXS -> IQ3_XXSFormat.INSTANCE;
            case IQ3_S -> IQ3_SFormat.INSTANCE;
            default -> throw new IllegalArgumentException("no block format for ggml type " + t + " (id " + t.id() + ")");
        };
    }

    /** Number of blocks in {@code n} values of {@code t}; rejects a partial block. */
    static int blocks(GgmlType t, int n) {
        if (n < 0 || n % t.blockSize() != 0) {
            throw new IllegalArgumentException(t + ": " + n + " values is not a whole number of " + t.blockSize() + "-value blocks");
        }
        return n / t.blockSize();
    }
}
