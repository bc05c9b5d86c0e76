package org.dsv3.cpu;

/** RMSNorm {@code y_i = γ_i · x_i / sqrt(mean(x²) + ε)} in float32 (docs/architecture.md §6). */
public final class RmsNorm {
    private RmsNorm() {
    }

    /** Normalises {@code x[off … off+n)} into {@code out[outOff …]} ({@code out} may be {@code x}). */
    public static void apply(float[] x, int off, float[] gain, float eps, float[] out, int outOff) {
        int n = gain.length;
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = gain[i] * (x[off + i] * inv);
        }
    }

    /** Normalises each of the {@code tokens} rows of width {@code gain.length} of {@code x} into a new array. */
    public static float[] rows(float[] x, int tokens, float[] gain, float eps) {
        int n = gain.length;
        float[] out = new float[tokens * n];
        for (int t = 0; t < tokens; t++) {
            apply(x, t * n, gain, eps, out, t * n);
        }
        return out;
    }
}
