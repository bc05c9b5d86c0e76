package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Stores values as BF16 the way ggml's {@code fp32_to_bf16} does: NaNs become quiet NaNs, every
 * other value is rounded to nearest, ties to even, on its upper 16 bits.
 */
public final class BF16Quantizer implements Quantizer {
    public static final BF16Quantizer INSTANCE = new BF16Quantizer();

    private BF16Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    static int toBf16(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (u >>> 16) | 64;
        }
        return (u + 0x7FFF + ((u >>> 16) & 1)) >>> 16;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putU16(dst, dstOff + 2L * i, toBf16(src[srcOff + i]));
        }
    }
}
