package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/**
 * The common part of the Q4_K and Q5_K reference quantizers: per super-block of 256, fit a scale
 * and a min to each sub-block of 32 ({@link ScaleSearch#scaleAndMin}, weights {@code rms + |x|}),
 * quantize the eight scales and eight mins to 6 bits against super-scales {@code d = max scale/63}
 * and {@code dmin = max min/63}, then re-round every value against its final (scale, min).
 */
abstract class KQuantizer implements Quantizer {
    private final int nmax;
    private final float rmin;
    private final int nstep;

    KQuantizer(int nmax, float rmin, int nstep) {
        this.nmax = nmax;
        this.rmin = rmin;
        this.nstep = nstep;
    }

    /** Writes the final quants L[0..256) into the block at {@code blk} (scales and d/dmin already written). */
    abstract void packQuants(int[] L, MemorySegment dst, long blk);

    @Override
    public void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int nb = BlockFormat.blocks(type(), n);
        int[] L = new int[256];
        float[] w = new float[32];
        float[] scales = new float[8];
        float[] mins = new float[8];
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int b = 0; b < nb; b++) {
            int x0 = srcOff + b * 256;
            long blk = dstOff + (long) b * type().typeSize();
            float maxScale = 0f;
            float maxMin = 0f;
            for (int j = 0; j < 8; j++) {
                int xs = x0 + 32 * j;
                float sumX2 = 0f;
                for (int l = 0; l < 32; l++) {
                    sumX2 += src[xs + l] * src[xs + l];
                }
                float av = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    w[l] = av + Math.abs(src[xs + l]);
                }
                ScaleSearch.ScaleMin sm = ScaleSearch.scaleAndMin(src, xs, 32, nmax, w, L, 32 * j, rmin, 0.1f, nstep);
                scales[j] = sm.scale();
                mins[j] = sm.negMin();
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            for (int j = 0; j < 8; j++) {
                ls[j] = Math.min(63, Rounding.nearestInt(invScale * scales[j]));
                lm[j] = Math.min(63, Rounding.nearestInt(invMin * mins[j]));
            }
            KScales.pack(ls, lm, dst, blk + 4);
            LittleEndian.putF16(dst, blk, maxScale / 63f);
            LittleEndian.putF16(dst, blk + 2, maxMin / 63f);
            float d = LittleEndian.f16(dst, blk);
            float dmin = LittleEndian.f16(dst, blk + 2);
            for (int j = 0; j < 8; j++) {
                float dl = d * ls[j];
                if (dl == 0f) {
                    continue;
                }
                float ml = dmin * lm[j];
                for (int l = 0; l < 32; l++) {
                    L[32 * j + l] = ScaleSearch.clamp(Rounding.nearestInt((src[x0 + 32 * j + l] + ml) / dl), 0, nmax);
                }
            }
            packQuants(L, dst, blk);
        }
    }
}
