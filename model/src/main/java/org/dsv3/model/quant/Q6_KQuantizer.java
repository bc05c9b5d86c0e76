package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K as ggml's reference: a symmetric scale per sub-block of 16 ({@link ScaleSearch#symmetricScale},
 * 6-bit quants), the sixteen scales quantized to signed 8 bits against {@code d = −(max scale)/128},
 * then every value re-rounded against its final scale. Layout in {@link Q6_KFormat}.
 */
public final class Q6_KQuantizer implements Quantizer {
    public static final Q6_KQuantizer INSTANCE = new Q6_KQuantizer();

    private Q6_KQuantizer() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int nb = BlockFormat.blocks(type(), n);
        int[] L = new int[256];
        float[] scales = new float[16];
        for (int b = 0; b < nb; b++) {
            int x0 = srcOff + b * 256;
            long blk = dstOff + (long) b * Q6_KFormat.BLOCK_BYTES;
            float maxScale = 0f;
            float maxAbsScale = 0f;
            for (int i = 0; i < 16; i++) {
                scales[i] = ScaleSearch.symmetricScale(src, x0 + 16 * i, 16, 32, L, 16 * i);
                if (Math.abs(scales[i]) > maxAbsScale) {
                    maxAbsScale = Math.abs(scales[i]);
                    maxScale = scales[i];
                }
            }
            if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
                dst.asSlice(blk, Q6_KFormat.BLOCK_BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -128f / maxScale;
            LittleEndian.putF16(dst, blk + Q6_KFormat.D, 1f / iscale);
            float d = LittleEndian.f16(dst, blk + Q6_KFormat.D);
            for (int i = 0; i < 16; i++) {
                int sc = Math.min(127, Rounding.nearestInt(iscale * scales[i]));
                LittleEndian.putU8(dst, blk + Q6_KFormat.SCALES + i, sc);
                float dl = d * sc;
                if (dl == 0f) {
                    continue;
                }
                for (int e = 16 * i; e < 16 * i + 16; e++) {
                    L[e] = 32 + ScaleSearch.clamp(Rounding.nearestInt(src[x0 + e] / dl), -32, 31);
                }
            }
            pack(L, dst, blk);
        }
    }

    /** Per half h of 128: ql[64h + l] holds values l and l+64 (low/high nibble), ql[64h+32+l] values l+32 and l+96; qh[32h + l] their top two bits. */
    private static void pack(int[] L, MemorySegment dst, long blk) {
        for (int h = 0; h < 2; h++) {
            int e = 128 * h;
            for (int l = 0; l < 32; l++) {
                int q1 = L[e + l];
                int q2 = L[e + l + 32];
                int q3 = L[e + l + 64];
                int q4 = L[e + l + 96];
                LittleEndian.putU8(dst, blk + Q6_KFormat.QL + 64 * h + l, (q1 & 15) | (q3 & 15) << 4);
                LittleEndian.putU8(dst, blk + Q6_KFormat.QL + 64 * h + 32 + l, (q2 & 15) | (q4 & 15) << 4);
                LittleEndian.putU8(dst, blk + Q6_KFormat.QH + 32 * h + l,
                        (q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }
}
