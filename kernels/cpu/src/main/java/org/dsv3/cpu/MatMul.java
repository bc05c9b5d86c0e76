package org.dsv3.cpu;

import org.dsv3.cpu.kernels.Q8Blocks;
import org.dsv3.cpu.kernels.VectorOps;

/**
 * Quantized matrix products {@code Y = X·Wᵀ} for a batch of T input rows, parallel over weight rows.
 * A single input row uses the fused quantized dot product; for the products that allow it
 * ({@link #applyRounded}, {@link #roundFor}: the FFN's) and in {@link DotMode#INT8}, the integer
 * one, with the row rounded to 8-bit blocks once per product, where the weight type has it.
 * A batch dequantizes each weight row once and multiplies it with every input row in float32, so a
 * weight pass serves the whole batch: a batch of at least 3/4 of a vector of tokens is packed into
 * {@link TokenPanels} once per product and multiplied as outer products ({@link PanelProduct},
 * {@link PanelTile}: 12 rows × 2 panels of 8 or 16 tokens, no horizontal sums); a smaller one dots small row
 * blocks with each input row ({@link DotTile}: 4 rows × 2 inputs at a time). On AVX2 the float
 * tiles do as many multiply-adds a cycle as the integer lanes would, without rounding the activations.
 */
public final class MatMul {
    /** Weight rows dequantized together before the pass over the batch. */
    private static final int ROW_BLOCK = 8;
    /** The calling thread's buffer for {@link #roundFor}. */
    private static final ThreadLocal<Q8Blocks> ROUNDED = new ThreadLocal<>();

    private final WorkerPool pool;
    private final DotMode mode;

    /** Exact products ({@link DotMode#EXACT}). */
    public MatMul(WorkerPool pool) {
        this(pool, DotMode.EXACT);
    }

    public MatMul(WorkerPool pool, DotMode mode) {
        this.pool = pool;
        this.mode = mode;
    }

    public DotMode mode() {
        return mode;
    }

    /**
     * The input rows {@code x[xOff + t·xStride …]} of a product with {@code w}, rounded to 8-bit
     * blocks when this product runs on integer dots (INT8 mode, one input row, a weight type with an
     * integer kernel); otherwise {@code null}, and the product uses {@code x} as it is. The blocks
     * live in one buffer per calling thread: they are valid until that thread's next call (each
     * product rounds its input just before it runs, and no product outlives the next one's rounding).
     */
    public Q8Blocks roundFor(WeightMatrix w, float[] x, int xOff, int xStride, int tokens) {
        if (!roundsFor(w, tokens)) {
            return null;
        }
        Q8Blocks b = Q8Blocks.of(ROUNDED.get(), x, xOff, xStride, tokens, w.cols());
        ROUNDED.set(b);
        return b;
    }

    /** Whether a product of {@code w} with {@code tokens} input rows runs on integer dots (see {@link #roundFor}). */
    public boolean roundsFor(WeightMatrix w, int tokens) {
        return mode == DotMode.INT8 && tokens == 1 && w.hasQ8Dot();
    }

    public WorkerPool pool() {
        return pool;
    }

    /** {@code out[t][r] = W[r] · x[t]} for a batch {@code x} of {@code [T][cols]}; returns {@code [T][rows]}. */
    public float[] apply(WeightMatrix w, float[] x, int tokens) {
        float[] out = new float[tokens * w.rows()];
        apply(w, x, tokens, out);
        return out;
    }

    /** As {@link #apply(WeightMatrix, float[], int)} into {@code out} ({@code [T][rows]}). */
    public void apply(WeightMatrix w, float[] x, int tokens, float[] out) {
        apply(w, x, null, tokens, out);
    }

    /**
     * As {@link #apply(WeightMatrix, float[], int)}, on integer dots when {@link #roundFor} allows
     * (the FFN's products: see {@link DotMode#INT8}).
     */
    public float[] applyRounded(WeightMatrix w, float[] x, int tokens) {
        float[] out = new float[tokens * w.rows()];
        apply(w, x, roundFor(w, x, 0, w.cols(), tokens), tokens, out);
        return out;
    }

    /**
     * {@code apply(a, x, tokens)} and {@code apply(b, x, tokens)} (same input width) in one parallel
     * loop over the rows of both where the batch is dotted row by row (decode), else one after the other;
     * returns {@code {outA, outB}}. The results are those of the two products.
     */
    public float[][] applyBoth(WeightMatrix a, WeightMatrix b, float[] x, int tokens) {
        if (usesPanels(tokens) || a.cols() != b.cols()) {
            return new float[][] {apply(a, x, tokens), apply(b, x, tokens)};
        }
        float[] outA = new float[tokens * a.rows()];
        float[] outB = new float[tokens * b.rows()];
        int ra = a.rows();
        int minChunk = Math.max(ROW_BLOCK, 16384 / Math.max(1, a.cols() * Math.max(1, tokens)));
        pool.parallelFor(ra + b.rows(), minChunk, (from, to, worker) -> {
            if (from < ra) {
                rows(a, from, Math.min(to, ra), x, 0, a.cols(), tokens, outA, 0, ra);
            }
            if (to > ra) {
                rows(b, Math.max(from, ra) - ra, to - ra, x, 0, b.cols(), tokens, outB, 0, b.rows());
            }
        });
        return new float[][] {outA, outB};
    }

    private void apply(WeightMatrix w, float[] x, Q8Blocks qx, int tokens, float[] out) {
        if (qx == null && usesPanels(tokens)) {
            TokenPanels xp = TokenPanels.of(x, 0, w.cols(), tokens, w.cols());
            forTiles(pool, w.rows(), (from, to) -> PanelProduct.rows(w, from, to, xp, out, 0, w.rows()));
            return;
        }
        int minChunk = Math.max(ROW_BLOCK, 16384 / Math.max(1, w.cols() * Math.max(1, tokens)));
        pool.parallelFor(w.rows(), minChunk, (from, to, worker) ->
                rows(w, from, to, x, qx, 0, w.cols(), tokens, out, 0, w.rows()));
    }

    /**
     * Whether a batch of {@code tokens} input rows runs on {@link TokenPanels}: from three quarters
     * of a panel (measured on 1408×2048 Q8_0, one core: the panels are as fast as {@link DotTile}
     * at 6 tokens on AVX2 and at 10-11 on AVX-512, faster above).
     */
    static boolean usesPanels(int tokens) {
        return tokens >= 3 * TokenPanels.LANES / 4;
    }

    /** The rows of a matrix split at multiples of {@link PanelTile#ROWS} (a body gets {@code [from, to)}). */
    interface RowRange {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, rows)} in parallel, in ranges that start at multiples of
     * {@link PanelTile#ROWS}, so that only a matrix's last tile is partly empty.
     */
    static void forTiles(WorkerPool pool, int rows, RowRange body) {
        int tiles = (rows + PanelTile.ROWS - 1) / PanelTile.ROWS;
        pool.parallelFor(tiles, (from, to, worker) ->
                body.run(from * PanelTile.ROWS, Math.min(rows, to * PanelTile.ROWS)));
    }

    /**
     * {@link #rows(WeightMatrix, int, int, float[], int, int, int, float[], int, int)}, or with
     * {@code qx} (from {@link #roundFor}) when it is not null: then the integer dots of its rows.
     */
    public static void rows(WeightMatrix w, int from, int to, float[] x, Q8Blocks qx, int xOff, int xStride, int tokens,
                            float[] out, int outOff, int outStride) {
        if (qx == null) {
            rows(w, from, to, x, xOff, xStride, tokens, out, outOff, outStride);
            return;
        }
        int n = qx.length();
        for (int t = 0; t < qx.rows(); t++) {
            int o = outOff + t * outStride;
            w.dotQ8Rows(from, to, qx, t * n, out, o);
        }
    }

    /**
     * The serial kernel: for weight rows {@code [from, to)} and batch rows {@code t < tokens},
     * {@code out[outOff + t·outStride + r] = W[r] · x[xOff + t·xStride …]}.
     */
    public static void rows(WeightMatrix w, int from, int to, float[] x, int xOff, int xStride, int tokens,
                            float[] out, int outOff, int outStride) {
        if (tokens == 1) {
            w.dotRows(from, to, x, xOff, out, outOff);
            return;
        }
        if (usesPanels(tokens)) {
            PanelProduct.rows(w, from, to, TokenPanels.of(x, xOff, xStride, tokens, w.cols()), out, outOff, outStride);
            return;
        }
        int cols = w.cols();
        float[] block = new float[ROW_BLOCK * cols];
        for (int r0 = from; r0 < to; r0 += ROW_BLOCK) {
            int n = Math.min(ROW_BLOCK, to - r0);
            for (int i = 0; i < n; i++) {
                w.dequantizeRow(r0 + i, block, i * cols);
            }
            int tiledRows = n - n % DotTile.ROWS;
            int t = 0;
            for (; t + DotTile.TOKENS <= tokens; t += DotTile.TOKENS) {
                int x0 = xOff + t * xStride;
                int o0 = outOff + t * outStride + r0;
                for (int i = 0; i < tiledRows; i += DotTile.ROWS) {
                    DotTile.dot4x2(block, i * cols, cols, x, x0, x0 + xStride, out, o0 + i, o0 + outStride + i);
                }
                for (int i = tiledRows; i < n; i++) {
                    out[o0 + i] = VectorOps.dot(block, i * cols, x, x0, cols);
                    out[o0 + outStride + i] = VectorOps.dot(block, i * cols, x, x0 + xStride, cols);
                }
            }
            for (; t < tokens; t++) {
                int xo = xOff + t * xStride;
                int oo = outOff + t * outStride + r0;
                for (int i = 0; i < n; i++) {
                    out[oo + i] = VectorOps.dot(block, i * cols, x, xo, cols);
                }
            }
        }
    }
}
