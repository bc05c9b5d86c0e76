package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 as ggml's reference: per block of 32, m = the value of largest magnitude (signed),
 * {@code d = m / −8}, {@code q = min(15, trunc(x/d + 8.5))}. Layout in {@link Q4_0Format}.
 */
public final class Q4_0Quantizer implements Quantizer {
    public static final Q4_0Quantizer INSTANCE = new Q4_0Quantizer();

    private Q4_0Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int nb = BlockFormat.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int x0 = srcOff + b * 32;
            long blk = dstOff + (long) b * Q4_0Format.BLOCK_BYTES;
            float d = SignedMax.of(src, x0, 32) / -8f;
            float id = d != 0f ? 1f / d : 0f;
            LittleEndian.putF16(dst, blk, d);
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (src[x0 + j] * id + 8.5f));
                int hi = Math.min(15, (int) (src[x0 + 16 + j] * id + 8.5f));
                LittleEndian.putU8(dst, blk + Q4_0Format.QS + j, lo | hi << 4);
            }
        }
    }
}
