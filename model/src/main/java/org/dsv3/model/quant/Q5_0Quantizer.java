package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0 as ggml's reference: per block of 32, m = the value of largest magnitude (signed),
 * {@code d = m / −16}, {@code q = min(31, trunc(x/d + 16.5))}; low nibbles to qs, fifth bits to qh.
 * Layout in {@link Q5_0Format}.
 */
public final class Q5_0Quantizer implements Quantizer {
    public static final Q5_0Quantizer INSTANCE = new Q5_0Quantizer();

    private Q5_0Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int nb = BlockFormat.blocks(type(), n);
        int[] q = new int[32];
        for (int b = 0; b < nb; b++) {
            int x0 = srcOff + b * 32;
            long blk = dstOff + (long) b * Q5_0Format.BLOCK_BYTES;
            float d = SignedMax.of(src, x0, 32) / -16f;
            float id = d != 0f ? 1f / d : 0f;
            for (int j = 0; j < 32; j++) {
                q[j] = Math.min(31, (int) (src[x0 + j] * id + 16.5f));
            }
            LittleEndian.putF16(dst, blk, d);
            FiveBit.pack(q, dst, blk + Q5_0Format.QH, blk + Q5_0Format.QS);
        }
    }
}
