package org.dsv3.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * A batch of input rows stored column by column in panels of {@link #LANES} tokens, for
 * {@link PanelTile}: panel {@code p} holds tokens {@code p·L … p·L+L-1}, and its column {@code k}
 * (those tokens' element {@code k}) is the {@code L} consecutive floats at
 * {@code data[p·cols·L + k·L …]}, so one vector load fetches element {@code k} of L tokens. The last
 * panel's lanes past the batch hold stale floats: every lane is a token of its own, and the
 * products store only the batch's. Packed once per product, the panels serve every weight row.
 */
final class TokenPanels {
    /** Tokens per panel: the float lanes of one vector (8 on AVX2, 16 on AVX-512). */
    static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    /** The calling thread's buffer: reused, since a fresh one costs more to allocate than to fill. */
    private static final ThreadLocal<float[]> BUFFER = new ThreadLocal<>();

    private final float[] data;
    private final int tokens;
    private final int cols;

    private TokenPanels(float[] data, int tokens, int cols) {
        this.data = data;
        this.tokens = tokens;
        this.cols = cols;
    }

    /**
     * Packs the {@code tokens} rows {@code x[xOff + t·xStride … + cols)} into the calling thread's
     * buffer: the panels are valid until that thread packs again (each product packs its input just
     * before it runs, and no product outlives the next one's packing on the same thread).
     */
    static TokenPanels of(float[] x, int xOff, int xStride, int tokens, int cols) {
        int panels = (tokens + LANES - 1) / LANES;
        int size = Math.multiplyExact(panels * LANES, cols);
        float[] data = BUFFER.get();
        if (data == null || data.length < size) {
            data = new float[size];
            BUFFER.set(data);
        }
        // column by column: the writes run in order, the reads are L sequential streams (2.7× faster
        // than writing one token's column at a time, every store on another cache line); the inner
        // loop of a full panel has a constant trip count, which the JIT unrolls
        for (int p = 0; p < panels; p++) {
            int valid = Math.min(LANES, tokens - p * LANES);
            int src = xOff + p * LANES * xStride;
            int dst = p * cols * LANES;
            for (int k = 0; k < cols; k++, dst += LANES) {
                if (valid == LANES) {
                    for (int j = 0; j < LANES; j++) {
                        data[dst + j] = x[src + j * xStride + k];
                    }
                } else {
                    for (int j = 0; j < valid; j++) {
                        data[dst + j] = x[src + j * xStride + k];
                    }
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
