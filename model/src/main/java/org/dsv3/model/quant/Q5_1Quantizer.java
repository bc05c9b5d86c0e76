package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q5_1 as ggml's reference: per block of 32, {@code d = (max − min) / 31}, {@code m = min},
 * {@code q = min(31, trunc((x − min)/d + 0.5))}. Layout in {@link Q5_1Format}.
 */
public final class Q5_1Quantizer implements Quantizer {
    public static final Q5_1Quantizer INSTANCE = new Q5_1Quantizer();

    private Q5_1Quantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int nb = BlockFormat.blocks(type(), n);
        int[] q = new int[32];
        for (int b = 0; b < nb; b++) {
            int x0 = srcOff + b * 32;
            long blk = dstOff + (long) b * Q5_1Format.BLOCK_BYTES;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < 32; j++) {
                min = Math.min(min, src[x0 + j]);
                max = Math.max(max, src[x0 + j]);
            }
            float d = (max - min) / 31f;
            float id = d != 0f ? 1f / d : 0f;
            for (int j = 0; j < 32; j++) {
                q[j] = Math.min(31, (int) ((src[x0 + j] - min) * id + 0.5f));
            }
            LittleEndian.putF16(dst, blk, d);
            LittleEndian.putF16(dst, blk + 2, min);
            FiveBit.pack(q, dst, blk + Q5_1Format.QH, blk + Q5_1Format.QS);
        }
    }
}
