package org.dsv3.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * A batch of input rows stored column by column in panels of {@link #LANES} tokens, for
 * {@link PanelTile}: panel {@code p} holds tokens {@code p·L … p·L+L-1}, and its column {@code k}
 * (those tokens' element {@code k}) is the {@code L} consecutive floats at
 * {@code data[p·cols·L + k·L …]}, so one vector load fetches element {@code k} of L tokens. The last
 * panel is padded with zeros when the batch is not a multiple of {@code L}. Packed once per
 * product, it serves every weight row.
 */
final class TokenPanels {
    /** Tokens per panel: the float lanes of one vector (8 on AVX2, 16 on AVX-512). */
    static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    private final float[] data;
    private final int tokens;
    private final int cols;

    private TokenPanels(float[] data, int tokens, int cols) {
        this.data = data;
        this.tokens = tokens;
        this.cols = cols;
    }

    /** Packs the {@code tokens} rows {@code x[xOff + t·xStride … + cols)}. */
    static TokenPanels of(float[] x, int xOff, int xStride, int tokens, int cols) {
        int panels = (tokens + LANES - 1) / LANES;
        float[] data = new float[Math.multiplyExact(panels * LANES, cols)];
        for (int p = 0; p < panels; p++) {
            int valid = Math.min(LANES, tokens - p * LANES);
            int base = p * cols * LANES;
            for (int j = 0; j < valid; j++) {
                int src = xOff + (p * LANES + j) * xStride;
                for (int k = 0; k < cols; k++) {
                    data[base + k * LANES + j] = x[src + k];
                }
            }
        }
        return new TokenPanels(data, tokens, cols);
    }

    float[] data() {
        return data;
    }

    int tokens() {
        return tokens;
    }

    int cols() {
        return cols;
    }

    int panels() {
        return (tokens + LANES - 1) / LANES;
    }

    /** Offset of panel {@code p} in {@link #data()}. */
    int offset(int p) {
        return p * cols * LANES;
    }
}
