package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Round-to-nearest quantization of float values into ggml blocks, following ggml's reference
 * quantizers ({@code quantize_row_*_ref}); used to write synthetic models. The output decodes
 * with {@link BlockFormat#of} of the same type.
 */
public interface Quantizer {
    GgmlType type();

    /** Quantizes src[srcOff..srcOff+n) (n a multiple of the block size) into blocks written from byte {@code dstOff} of {@code dst}. */
    void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff);

    /** The quantizer for {@code t}; throws IllegalArgumentException naming the type when there is none. */
    static Quantizer of(GgmlType t) {
        return switch (t) {
            case F32 -> F32Quantizer.INSTANCE;
            case F16 -> F16Quantizer.INSTANCE;
            case BF16 -> BF16Quantizer.INSTANCE;
            case Q8_0 -> Q8_0Quantizer.INSTANCE;
            case Q4_0 -> Q4_0Quantizer.INSTANCE;
            case Q5_0 -> Q5_0Quantizer.INSTANCE;
            case Q5_1 -> Q5_1Quantizer.INSTANCE;
            case Q4_K -> Q4_KQuantizer.INSTANCE;
            case Q5_K -> Q5_KQuantizer.INSTANCE;
            case Q6_K -> Q6_KQuantizer.INSTANCE;
            default -> throw new IllegalArgumentException("no quantizer for ggml type " + t + " (id " + t.id() + ")");
        };
    }
}
