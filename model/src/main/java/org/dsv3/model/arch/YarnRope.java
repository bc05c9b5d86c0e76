package org.dsv3.model.arch;

import org.dsv3.model.config.DeepSeekConfig;

/**
 * Rotary position embedding of the {@code d_rope}-wide slices of q and k: adjacent pairs
 * {@code (x[2i], x[2i+1])} (NORM mode, docs/architecture.md §3.7 and §10 item 10) rotated by angles with
 * YaRN frequencies (§4.2), magnitude 1 (§4.3, §10 item 2: the YaRN temperature lives in the softmax
 * scale, not here).
 */
public final class YarnRope {
    private final int dims;
    private final int low;
    private final int high;
    /** Angle per position of each pair: {@code θ_i(p) = p · freq[i]}. */
    private final double[] freq;

    /**
     * @param dims     rotated dimensions ({@code qk_rope_head_dim}, even)
     * @param base     {@code rope.freq_base}
     * @param factor   YaRN scaling factor; 1 (or less) means plain RoPE
     * @param origCtx  YaRN {@code original_context_length}
     * @param betaFast YaRN β_fast (32 in every reference model)
     * @param betaSlow YaRN β_slow (1)
     */
    public YarnRope(int dims, double base, double factor, int origCtx, double betaFast, double betaSlow) {
        if (dims <= 0 || dims % 2 != 0) {
            throw new IllegalArgumentException("RoPE dimension must be even and positive, got " + dims);
        }
        this.dims = dims;
        boolean yarn = factor > 1;
        this.low = yarn ? (int) Math.max(0, Math.floor(correctionDim(betaFast, dims, base, origCtx))) : 0;
        this.high = yarn ? (int) Math.min(dims - 1, Math.ceil(correctionDim(betaSlow, dims, base, origCtx))) : 0;
        this.freq = new double[dims / 2];
        double freqScale = yarn ? 1.0 / factor : 1.0;
        for (int i = 0; i < dims / 2; i++) {
            double extrapolated = Math.pow(base, -2.0 * i / dims);
            double ramp = 0;
            if (yarn) {
                double y = (i - low) / Math.max(0.001, high - low);
                ramp = 1 - Math.min(1, Math.max(0, y));
            }
            // ramp 1: high-frequency pair keeps its frequency; ramp 0: low-frequency pair is interpolated (÷ factor).
            freq[i] = extrapolated * (freqScale * (1 - ramp) + ramp);
        }
    }

    public static YarnRope of(DeepSeekConfig c) {
        return new YarnRope(c.qkRopeDim(), c.ropeBase(), c.yarn() ? c.yarnFactor() : 1.0, c.yarnOriginalContext(),
                c.yarnBetaFast(), c.yarnBetaSlow());
    }

    /** §4.2: the pair index whose wavelength completes {@code rotations} turns over the original context. */
    static double correctionDim(double rotations, int dims, double base, int origCtx) {
        return dims * Math.log(origCtx / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** First pair of the YaRN blend band (pairs below keep their frequency). */
    public int low() {
        return low;
    }

    /** Last pair of the blend band (pairs above are divided by the factor). */
    public int high() {
        return high;
    }

    public int dims() {
        return dims;
    }

    /** Angle per unit position of pair {@code i}. */
    public double frequency(int i) {
        return freq[i];
    }

    /** Fills {@code cos[i]}, {@code sin[i]} ({@code dims/2} each) for position {@code pos}. */
    public void angles(int pos, float[] cos, float[] sin) {
        for (int i = 0; i < freq.length; i++) {
            double theta = pos * freq[i];
            cos[i] = (float) Math.cos(theta);
            sin[i] = (float) Math.sin(theta);
        }
    }

    /** Rotates the adjacent pairs of {@code x[off … off+dims)} in place by the angles from {@link #angles}. */
    public static void rotate(float[] x, int off, float[] cos, float[] sin) {
        for (int i = 0; i < cos.length; i++) {
            float a = x[off + 2 * i];
            float b = x[off + 2 * i + 1];
            x[off + 2 * i] = a * cos[i] - b * sin[i];
            x[off + 2 * i + 1] = a * sin[i] + b * cos[i];
        }
    }
}
