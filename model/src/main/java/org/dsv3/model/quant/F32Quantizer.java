package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** Stores values as little-endian F32, unchanged. */
public final class F32Quantizer implements Quantizer {
    public static final F32Quantizer INSTANCE = new F32Quantizer();

    private F32Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        MemorySegment.copy(src, srcOff, dst, LittleEndian.FLOAT, dstOff, n);
    }
}
