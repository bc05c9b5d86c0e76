package org.dsv3.model.quant;

/**
 * The scale searches of ggml's K-quant reference quantizers, written from their published
 * formulas: try a set of candidate scales around the naive one, and keep the one whose weighted
 * least-squares fit has the smallest error.
 */
final class ScaleSearch {
    /** Below this magnitude a group is treated as all zeros (ggml's GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    private ScaleSearch() {
    }

    /** Result of {@link #scaleAndMin}: x ≈ scale·L − negMin. */
    record ScaleMin(float scale, float negMin) {
    }

    /**
     * Asymmetric fit ({@code make_qkx2_quants}): finds scale s and offset m ≤ 0 with
     * x[i] ≈ s·L[i] + m, L[i] in 0..nmax, minimizing Σ w[i]·(s·L[i] + m − x[i])². Candidate
     * inverse scales are (nmax + rmin + rdelta·k)/(max − min) for k = 0..nstep; for each, the
     * quants are rounded and (s, m) solved in closed form. L receives the best quants.
     */
    static ScaleMin scaleAndMin(float[] x, int off, int n, int nmax, float[] w, int[] L, int lOff,
            float rmin, float rdelta, int nstep) {
        float min = x[off];
        float max = x[off];
        float sumW = w[0];
        float sumX = sumW * x[off];
        for (int i = 1; i < n; i++) {
            float v = x[off + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            sumW += w[i];
            sumX += w[i] * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return new ScaleMin(0f, -min);
        }
        float iscale = nmax / (max - min);
        float scale = 1f / iscale;
        float bestError = 0f;
        for (int i = 0; i < n; i++) {
            int l = clamp(Rounding.nearestInt(iscale * (x[off + i] - min)), 0, nmax);
            L[lOff + i] = l;
            float diff = scale * l + min - x[off + i];
            bestError += w[i] * diff * diff;
        }
        int[] aux = new int[n];
        for (int k = 0; k <= nstep; k++) {
            iscale = (rmin + rdelta * k + nmax) / (max - min);
            float sumL = 0f;
            float sumL2 = 0f;
            float sumXL = 0f;
            for (int i = 0; i < n; i++) {
                int l = clamp(Rounding.nearestInt(iscale * (x[off + i] - min)), 0, nmax);
                aux[i] = l;
                sumL += w[i] * l;
                sumL2 += w[i] * l * l;
                sumXL += w[i] * l * x[off + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float err = 0f;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[off + i];
                    err += w[i] * diff * diff;
                }
                if (err < bestError) {
                    System.arraycopy(aux, 0, L, lOff, n);
                    bestError = err;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        return new ScaleMin(scale, -min);
    }

    /**
     * Symmetric fit ({@code make_qx_quants} with x² weights): finds s with x[i] ≈ s·(L[i] − nmax),
     * L[i] − nmax in −nmax..nmax−1, trying inverse scales −(nmax + 0.1·k)/max for k = −9..9 (max the
     * signed value of largest magnitude) and keeping the best weighted least-squares fit. L receives
     * the best quants offset by nmax; returns s.
     */
    static float symmetricScale(float[] x, int off, int n, int nmax, int[] L, int lOff) {
        float max = SignedMax.of(x, off, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumLX = 0f;
        float sumL2 = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            int l = clamp(Rounding.nearestInt(iscale * v), -nmax, nmax - 1);
            L[lOff + i] = l + nmax;
            float w = v * v;
            sumLX += w * v * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0f ? sumLX / sumL2 : 0f;
        float best = scale * sumLX;
        for (int k = -9; k <= 9; k++) {
            if (k == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * k) / max;
            sumLX = 0f;
            sumL2 = 0f;
            for (int i = 0; i < n; i++) {
                float v = x[off + i];
                int l = clamp(Rounding.nearestInt(iscale * v), -nmax, nmax - 1);
                float w = v * v;
                sumLX += w * v * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    L[lOff + i] = nmax + clamp(Rounding.nearestInt(iscale * x[off + i]), -nmax, nmax - 1);
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
