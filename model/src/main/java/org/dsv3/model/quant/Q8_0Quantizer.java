package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0 as ggml's reference: per block of 32, {@code d = max|x| / 127}, {@code q = round(x / d)}
 * (halves away from zero). Layout in {@link Q8_0Format}.
 */
public final class Q8_0Quantizer implements Quantizer {
    public static final Q8_0Quantizer INSTANCE = new Q8_0Quantizer();

    private Q8_0Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int x0 = srcOff + b * Q8_0Format.BLOCK_VALUES;
            long blk = dstOff + (long) b * Q8_0Format.BLOCK_BYTES;
            float amax = 0f;
            for (int j = 0; j < Q8_0Format.BLOCK_VALUES; j++) {
                amax = Math.max(amax, Math.abs(src[x0 + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            LittleEndian.putF16(dst, blk, d);
            for (int j = 0; j < Q8_0Format.BLOCK_VALUES; j++) {
                LittleEndian.putU8(dst, blk + Q8_0Format.QS + j, Rounding.roundHalfAway(src[x0 + j] * id));
            }
        }
    }
}
