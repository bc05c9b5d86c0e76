package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Quantized matrix–matrix products for a batch of tokens (prompt processing): {@code Y[t] = W·X[t]} for
 * every token t of the batch, the GGUF blocks of W read in place. A work-group of {@link #GROUP} threads
 * owns a tile of {@link #TILE_ROWS} rows × {@link #TILE_TOKENS} tokens; it walks the columns
 * {@link #TILE_K} at a time, decoding that slice of its rows once into local memory (through the type
 * dispatch of {@link BlockValue}, so every {@link WeightType} the decode kernels read is read here, and a
 * new layout reaches this kernel by the same door), staging the tokens' slice beside it, and then
 * every thread adds 2 rows × 4 tokens of products from local memory. Each weight value is thus decoded
 * once per tile of tokens instead of once per token.
 *
 * <p>Three ways to pick a tile's tokens and weights, all in {@link #multiply}:
 * <ul>
 *   <li>plain (a dense projection): token rows {@code 0 … n−1} ({@code n = info[0]});</li>
 *   <li>batched by head ({@code batches > 1}): batch b uses W's rows from {@code b·wBatchRows}, X's
 *       columns from {@code b·xBatchOff}, Y's from {@code b·yBatchOff} (the per-head absorbed query and
 *       value expansion of latent attention);</li>
 *   <li>{@link #GROUPED} (routed experts): a tile table made on the device ({@link BatchRouting#group})
 *       gives each work-group an expert and a range of slots; slot s reads X row {@code perm[s] / k}
 *       (the token of assignment {@code perm[s]}) or X row s, writes Y row s, and uses expert e's rows
 *       {@code e·rows …} of the stacked tensor.</li>
 * </ul>
 * The result is stored, added ({@link #ADD}: residual) or multiplied into a SwiGLU ({@link #SWIGLU}:
 * {@code y = silu(y)·acc}, y holding the gate product).
 *
 * <p>TornadoVM pitfalls (see {@link MatVec}): local arrays stay in the kernel body; no barrier sits in a
 * branch (an empty tile runs its loops zero times instead).
 */
public final class BatchMatMul {
    public static final int GROUP = 256;
    public static final int TILE_ROWS = 64;
    public static final int TILE_TOKENS = 32;
    public static final int TILE_K = 32;
    /** Row pitch of the local tiles (one more than {@link #TILE_K}: neighbouring rows in other banks). */
    private static final int PITCH = TILE_K + 1;

    /** Epilogues ({@code spec & 15}). */
    public static final int STORE = 0;
    public static final int ADD = 1;
    public static final int SWIGLU = 2;
    /** Spec bit: tiles from a device tile table (routed experts). */
    public static final int GROUPED = 16;

    private BatchMatMul() {
    }

    /** Work-groups along the rows. */
    public static int rowTiles(int rows) {
        return (rows + TILE_ROWS - 1) / TILE_ROWS;
    }

    /** Work-groups along the tokens of a batch of at most {@code tokens}. */
    public static int tokenTiles(int tokens) {
        return (tokens + TILE_TOKENS - 1) / TILE_TOKENS;
    }

    /** Most tiles the expert grouping can make for {@code assignments} token–expert pairs over {@code experts}. */
    public static int maxExpertTiles(int assignments, int experts) {
        return tokenTiles(assignments) + experts;
    }

    /**
     * The spec word of a launch: an epilogue, optionally {@link #GROUPED} with {@code gatherK} (X row of
     * slot s is {@code perm[s] / gatherK}; 0: X row s).
     */
    public static int spec(int mode, boolean grouped, int gatherK) {
        return mode | (grouped ? GROUPED : 0) | gatherK << 8;
    }

    /**
     * Launch with {@code rowTiles(rows) · batches · tokenTiles · GROUP} threads ({@code rowTiles(rows) ·
     * maxExpertTiles · GROUP} when grouped), {@code GROUP} per group.
     *
     * @param info       {@code info[0]} = tokens in the batch
     * @param table      grouped only: {@code [tiles, permAt, (expert, first slot, end slot)…]}, the slot
     *                   permutation at {@code permAt}
     * @param w          W's raw words, type {@code type}, {@code rows} rows (per batch / expert) of {@code cols}
     * @param tokenTiles work-groups per batch along the tokens (plain and per head)
     * @param spec       see {@link #spec}
     */
    public static void multiply(KernelContext ctx, IntArray info, IntArray table, IntArray w, int type, int rows, int cols,
                                int wBatchRows, FloatArray x, int xStride, int xBatchOff, FloatArray y, int yStride,
                                int yBatchOff, int tokenTiles, int spec) {
        int lid = ctx.localIdx;
        int rowTiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
        int rt = ctx.groupIdx % rowTiles;
        int gy = ctx.groupIdx / rowTiles;
        int mode = spec & 15;
        int grouped = spec & GROUPED;
        int gatherK = (spec >> 8) & 255;
        float[] wt = ctx.allocateFloatLocalArray(TILE_ROWS * PITCH);
        float[] xt = ctx.allocateFloatLocalArray(TILE_TOKENS * PITCH);

        int n = info.get(0);
        int batch = gy / tokenTiles;
        int t0 = (gy % tokenTiles) * TILE_TOKENS;
        int t1 = t0 + TILE_TOKENS < n ? t0 + TILE_TOKENS : n;
        int permAt = 0;
        if (grouped != 0) {
            batch = 0;
            t0 = 0;
            t1 = 0;
            permAt = table.get(1);
            if (gy < table.get(0)) {
                batch = table.get(2 + 3 * gy);
                t0 = table.get(3 + 3 * gy);
                t1 = table.get(4 + 3 * gy);
            }
        }
        int xCol = grouped != 0 ? 0 : batch * xBatchOff;
        int yCol = grouped != 0 ? 0 : batch * yBatchOff;
        int wRows = grouped != 0 ? rows : wBatchRows;
        int rowBytes = WeightType.rowBytes(type, cols);
        int firstRow = rt * TILE_ROWS;
        // an empty tile (past the batch, or an unused expert tile) walks no columns
        int kEnd = t0 < t1 ? cols : 0;

        int ri = lid & 31;
        int ti = lid >> 5;
        float a00 = 0f;
        float a01 = 0f;
        float a02 = 0f;
        float a03 = 0f;
        float a10 = 0f;
        float a11 = 0f;
        float a12 = 0f;
        float a13 = 0f;
        for (int k0 = 0; k0 < kEnd; k0 += TILE_K) {
            ctx.localBarrier();
            // the rows' slice of W, decoded once for the whole tile of tokens: 8 values a thread
            for (int i = 0; i < TILE_ROWS * TILE_K / GROUP; i++) {
                int idx = lid + GROUP * i;
                int r = idx >> 5;
                int kk = idx & 31;
                float v = 0f;
                if (firstRow + r < rows && k0 + kk < cols) {
                    v = BlockValue.at(type, w, (batch * wRows + firstRow + r) * rowBytes, cols, k0 + kk);
                }
                wt[r * PITCH + kk] = v;
            }
            // the tokens' slice of X: 4 values a thread
            for (int i = 0; i < TILE_TOKENS * TILE_K / GROUP; i++) {
                int idx = lid + GROUP * i;
                int tt = idx >> 5;
                int kk = idx & 31;
                int t = t0 + tt;
                float v = 0f;
                if (t < t1 && k0 + kk < cols) {
                    int xr = t;
                    if (gatherK > 0) {
                        xr = table.get(permAt + t) / gatherK;
                    }
                    v = x.get(xr * xStride + xCol + k0 + kk);
                }
                xt[tt * PITCH + kk] = v;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < TILE_K; kk++) {
                float w0 = wt[ri * PITCH + kk];
                float w1 = wt[(ri + 32) * PITCH + kk];
                float x0 = xt[ti * PITCH + kk];
                float x1 = xt[(ti + 8) * PITCH + kk];
                float x2 = xt[(ti + 16) * PITCH + kk];
                float x3 = xt[(ti + 24) * PITCH + kk];
                a00 += w0 * x0;
                a01 += w0 * x1;
                a02 += w0 * x2;
                a03 += w0 * x3;
                a10 += w1 * x0;
                a11 += w1 * x1;
                a12 += w1 * x2;
                a13 += w1 * x3;
            }
        }
        int r0 = firstRow + ri;
        int r1 = r0 + 32;
        int tA = t0 + ti;
        put(y, mode, r0 < rows && tA < t1, tA * yStride + yCol + r0, a00);
        put(y, mode, r0 < rows && tA + 8 < t1, (tA + 8) * yStride + yCol + r0, a01);
        put(y, mode, r0 < rows && tA + 16 < t1, (tA + 16) * yStride + yCol + r0, a02);
        put(y, mode, r0 < rows && tA + 24 < t1, (tA + 24) * yStride + yCol + r0, a03);
        put(y, mode, r1 < rows && tA < t1, tA * yStride + yCol + r1, a10);
        put(y, mode, r1 < rows && tA + 8 < t1, (tA + 8) * yStride + yCol + r1, a11);
        put(y, mode, r1 < rows && tA + 16 < t1, (tA + 16) * yStride + yCol + r1, a12);
        put(y, mode, r1 < rows && tA + 24 < t1, (tA + 24) * yStride + yCol + r1, a13);
    }

    /** The epilogue of one output value, when {@code inside}. */
    private static void put(FloatArray y, int mode, boolean inside, int at, float acc) {
        if (inside) {
            if (mode == STORE) {
                y.set(at, acc);
            } else if (mode == ADD) {
                y.set(at, y.get(at) + acc);
            } else {
                float g = y.get(at);
                y.set(at, g / (1f + TornadoMath.exp(-g)) * acc);
            }
        }
    }
}
