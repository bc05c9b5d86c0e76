package org.dsv3.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * A batch of input rows stored column by column in panels of {@link #LANES} tokens, for
 * {@link PanelTile}: column {@code k} of a panel (its tokens' element {@code k}) is L consecutive
 * floats, so one vector load fetches it, and the next column is {@link #STRIDE} floats further.
 * The tokens go in blocks of {@code STRIDE}: block {@code b}'s column {@code k} is the
 * {@code STRIDE} floats at {@code data[b·cols·STRIDE + k·STRIDE …]}. With 256-bit vectors a block
 * holds two panels, interleaved, so that AVX2's two-panel kernel, which needs 15 of its 16 vector
 * registers, addresses both from one offset ({@link PanelTile#multiply6x2}). With 512-bit vectors
 * a block is one panel: there two panels apart measured 8 % faster than interleaved.
 * Lanes past the batch hold zeros, up to a whole pair of panels: every lane is a token of its own,
 * and the products store only the batch's. Packed once per product, the panels serve every weight row.
 */
final class TokenPanels {
    /** Tokens per panel: the float lanes of one vector (8 on AVX2, 16 on AVX-512). */
    static final int LANES = FloatVector.SPECIES_PREFERRED.length();
    /**
     * Floats from one column of a panel to its next: one panel with 512-bit vectors, a pair of them
     * below (computed here, not from {@link PanelTile#WIDE}: the two classes' constants must not
     * depend on each other's initialisation).
     */
    static final int STRIDE = LANES >= 16 ? LANES : 2 * LANES;

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
        // whole pairs of panels (the kernels take two at a time): an odd last panel gets a zero one
        int pairs = (tokens + 2 * LANES - 1) / (2 * LANES);
        int blocks = pairs * 2 * LANES / STRIDE;
        int size = Math.multiplyExact(blocks * STRIDE, cols);
        float[] data = BUFFER.get();
        if (data == null || data.length < size) {
            data = new float[size];
            BUFFER.set(data);
        }
        // column by column: the writes run in order, the reads are STRIDE sequential streams (2.7×
        // faster than writing one token's column at a time, every store on another cache line);
        // the inner loop of a full block has a constant trip count, which the JIT unrolls
        for (int q = 0; q < blocks; q++) {
            int valid = Math.max(0, Math.min(STRIDE, tokens - q * STRIDE));
            int src = xOff + q * STRIDE * xStride;
            int dst = q * cols * STRIDE;
            for (int k = 0; k < cols; k++, dst += STRIDE) {
                if (valid == STRIDE) {
                    for (int j = 0; j < STRIDE; j++) {
                        data[dst + j] = x[src + j * xStride + k];
                    }
                } else {
                    for (int j = 0; j < valid; j++) {
                        data[dst + j] = x[src + j * xStride + k];
                    }
                    for (int j = valid; j < STRIDE; j++) {
                        data[dst + j] = 0f;
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

    /** Offset of panel {@code p}'s column 0 in {@link #data()} (its column k is {@link #STRIDE}·k further). */
    int offset(int p) {
        int t = p * LANES;
        return t / STRIDE * cols * STRIDE + t % STRIDE;
    }
}
