package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** Stores values as IEEE half precision, rounded to nearest, ties to even. */
public final class F16Quantizer implements Quantizer {
    public static final F16Quantizer INSTANCE = new F16Quantizer();

    private F16Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putF16(dst, dstOff + 2L * i, src[srcOff + i]);
        }
    }
}
