package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Quantized matrix–matrix products for a batch of tokens (prompt processing): {@code Y[t] = W·X[t]} for
 * every token t of the batch, the GGUF blocks of W read in place. A work-group owns a tile of
 * {@link BatchTile#rows()} rows × {@link BatchTile#tokens()} tokens (the shape travels in the spec word;
 * default {@link BatchTile#DEFAULT}). It walks the columns {@link #TILE_K} at a time (one Q8_0/Q4_0 block,
 * an eighth of a K-quant super-block), decoding that slice of its rows once into local memory (through the
 * type dispatch of {@link BlockValue}, so every {@link WeightType} the decode kernels read is read here,
 * and a new layout reaches this kernel by the same door), staging the tokens' slice beside it, and then
 * every thread accumulates a register tile of {@link #THREAD_ROWS} rows × {@link #THREAD_TOKENS} tokens:
 * per column 8 weight and 4 activation reads from local memory feed 32 multiply–adds. Each weight value is
 * thus decoded once per tile of tokens instead of once per token, and each local read is used 4 or 8 times.
 *
 * <p>Thread (ri, ti) of the tile owns rows {@code ri + m·R} and tokens {@code ti + n·T} (R, T the threads
 * along rows and tokens): neighbouring threads read neighbouring rows of the decoded slice, whose pitch
 * {@link #PITCH} puts them in distinct banks, and the few tokens of a warp are broadcasts. The results
 * leave through local memory, one token column of the register tile at a time, so that the epilogue writes
 * whole runs of neighbouring rows.
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
 * {@code y = silu(y)·acc}, y holding the gate product). The sums are plain float products of the decoded
 * weights and the unrounded activations, in column order.
 *
 * <p>TornadoVM pitfalls (see {@link MatVec}): local arrays stay in the kernel body; no barrier sits in a
 * branch (an empty tile runs its loops zero times instead).
 */
public final class BatchMatMul {
    /** Columns per step of the k loop. */
    public static final int TILE_K = 32;
    /** The register tile of one thread. */
    public static final int THREAD_ROWS = 8;
    public static final int THREAD_TOKENS = 4;
    /** Largest tile shapes (the local arrays are sized for them: 2 × 128 × 33 floats, 33.8 KiB). */
    public static final int MAX_TILE_ROWS = 128;
    public static final int MAX_TILE_TOKENS = 128;
    /** Row pitch of the local tiles (one more than {@link #TILE_K}: neighbouring rows in other banks). */
    private static final int PITCH = TILE_K + 1;

    /** Epilogues ({@code spec & 15}). */
    public static final int STORE = 0;
    public static final int ADD = 1;
    public static final int SWIGLU = 2;
    /** Spec bit: tiles from a device tile table (routed experts). */
    public static final int GROUPED = 16;
    /**
     * Spec bit, read by {@link BatchMatMulMma} only: X is also given as packed halves (word w of the array =
     * values 2w, 2w+1 of X's float array, {@link CacheFormat#saturatedF16Bits}), so the kernel copies words
     * instead of converting floats; X's stride, batch offset and columns are then even.
     */
    public static final int X_HALVES = 1 << 24;
    /**
     * Spec bit ({@link BatchMatMulMma} only): the epilogue also writes every stored value of Y as packed halves
     * to {@code yHalves} (word w = values 2w, 2w+1 of Y's float array, {@link CacheFormat#saturatedF16Bits}), for a
     * later tensor-core product that reads Y as its X with {@link #X_HALVES}; Y's stride, batch offset and rows
     * are then even.
     */
    public static final int Y_HALVES = 1 << 25;

    private BatchMatMul() {
    }

    /**
     * The spec word of a launch: an epilogue, optionally {@link #GROUPED} with {@code gatherK} (X row of
     * slot s is {@code perm[s] / gatherK}; 0: X row s), and the tile shape (log2 of the threads along rows
     * and along tokens).
     */
    public static int spec(int mode, boolean grouped, int gatherK, BatchTile tile) {
        int rowShift = Integer.numberOfTrailingZeros(tile.rows() / THREAD_ROWS);
        int tokenShift = Integer.numberOfTrailingZeros(tile.tokens() / THREAD_TOKENS);
        return mode | (grouped ? GROUPED : 0) | gatherK << 8 | rowShift << 16 | tokenShift << 20;
    }

    /**
     * Launch with {@code tile.rowTiles(rows) · batches · tokenTiles · tile.threads()} threads ({@code
     * tile.rowTiles(rows) · tile.maxExpertTiles · tile.threads()} when grouped), {@code tile.threads()} per
     * group, {@code tile} the shape given to {@link #spec}.
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
        int mode = spec & 15;
        int grouped = spec & GROUPED;
        int gatherK = (spec >> 8) & 255;
        int rowShift = (spec >> 16) & 15;
        int rowThreads = 1 << rowShift;
        int tokenThreads = 1 << ((spec >> 20) & 15);
        int threads = rowThreads * tokenThreads;
        int tileRows = rowThreads * THREAD_ROWS;
        int tileTokens = tokenThreads * THREAD_TOKENS;
        float[] wt = ctx.allocateFloatLocalArray(MAX_TILE_ROWS * PITCH);
        float[] xt = ctx.allocateFloatLocalArray(MAX_TILE_TOKENS * PITCH);

        int rowTiles = (rows + tileRows - 1) / tileRows;
        int rt = ctx.groupIdx % rowTiles;
        int gy = ctx.groupIdx / rowTiles;
        int n = info.get(0);
        int batch = gy / tokenTiles;
        int t0 = (gy % tokenTiles) * tileTokens;
        int t1 = t0 + tileTokens < n ? t0 + tileTokens : n;
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
        int firstRow = rt * tileRows;
        // an empty tile (past the batch, or an unused expert tile) walks no columns
        int kEnd = t0 < t1 ? cols : 0;

        // values a thread stages per k step (the tile sizes are powers of two, so these divide exactly). The
        // loops count i, not idx: with idx bounded by the loop, the row test below folds to a constant when
        // the rows fill the last tile, which TornadoVM 5.2's OpenCL backend cannot emit ("logic node").
        int wReads = tileRows * TILE_K / threads;
        boolean runs = BlockRun.isRun(type);
        int runCount = tileRows * (TILE_K / BlockRun.LENGTH);
        int runReads = (runCount + threads - 1) / threads;
        int xReads = tileTokens * TILE_K / threads;
        int ri = lid & (rowThreads - 1);
        int ti = lid >> rowShift;
        int rs = rowThreads * PITCH;
        int ts = tokenThreads * PITCH;
        float a00 = 0f, a01 = 0f, a02 = 0f, a03 = 0f;
        float a10 = 0f, a11 = 0f, a12 = 0f, a13 = 0f;
        float a20 = 0f, a21 = 0f, a22 = 0f, a23 = 0f;
        float a30 = 0f, a31 = 0f, a32 = 0f, a33 = 0f;
        float a40 = 0f, a41 = 0f, a42 = 0f, a43 = 0f;
        float a50 = 0f, a51 = 0f, a52 = 0f, a53 = 0f;
        float a60 = 0f, a61 = 0f, a62 = 0f, a63 = 0f;
        float a70 = 0f, a71 = 0f, a72 = 0f, a73 = 0f;
        for (int k0 = 0; k0 < kEnd; k0 += TILE_K) {
            ctx.localBarrier();
            // the rows' slice of W, decoded once for the whole tile of tokens: in runs of 16 values a thread
            // (BlockRun: the scales decoded once a run; two threads a row, neighbouring rows in neighbouring
            // threads, whose stores fall in distinct banks), or value by value for the other types
            // (neighbouring threads: one row's neighbouring values, so their reads of W fall together)
            if (runs) {
                for (int i = 0; i < runReads; i++) {
                    int run = lid + threads * i;
                    int r = run >> 1;
                    int kk = (run & 1) << 4;
                    float scale = 0f;
                    float offset = 0f;
                    int rowAt = (batch * wRows + firstRow + r) * rowBytes;
                    boolean inside = firstRow + r < rows && k0 + kk < cols;
                    if (inside) {
                        scale = BlockRun.scale(type, w, rowAt, cols, k0 + kk);
                        offset = BlockRun.offset(type, w, rowAt, cols, k0 + kk);
                    }
                    for (int u = 0; u < BlockRun.LENGTH; u += 4) {
                        int quads = 0;
                        if (inside) {
                            quads = BlockRun.quads(type, w, rowAt, cols, k0 + kk + u);
                        }
                        // rows past the tile's (a work-group wider than its runs) store nothing
                        if (run < runCount) {
                            int at = r * PITCH + kk + u;
                            wt[at] = scale * RawBytes.byteOf(quads, 0) + offset;
                            wt[at + 1] = scale * RawBytes.byteOf(quads, 1) + offset;
                            wt[at + 2] = scale * RawBytes.byteOf(quads, 2) + offset;
                            wt[at + 3] = scale * RawBytes.byteOf(quads, 3) + offset;
                        }
                    }
                }
            } else {
                for (int i = 0; i < wReads; i++) {
                    int idx = lid + threads * i;
                    int r = idx >> 5;
                    int kk = idx & 31;
                    float v = 0f;
                    if (firstRow + r < rows && k0 + kk < cols) {
                        v = BlockValue.at(type, w, (batch * wRows + firstRow + r) * rowBytes, cols, k0 + kk);
                    }
                    wt[r * PITCH + kk] = v;
                }
            }
            // the tokens' slice of X
            for (int i = 0; i < xReads; i++) {
                int idx = lid + threads * i;
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
            int wi = ri * PITCH;
            int xi = ti * PITCH;
            for (int kk = 0; kk < TILE_K; kk++) {
                float x0 = xt[xi + kk];
                float x1 = xt[xi + ts + kk];
                float x2 = xt[xi + 2 * ts + kk];
                float x3 = xt[xi + 3 * ts + kk];
                float w0 = wt[wi + kk];
                a00 += w0 * x0;
                a01 += w0 * x1;
                a02 += w0 * x2;
                a03 += w0 * x3;
                float w1 = wt[wi + rs + kk];
                a10 += w1 * x0;
                a11 += w1 * x1;
                a12 += w1 * x2;
                a13 += w1 * x3;
                float w2 = wt[wi + 2 * rs + kk];
                a20 += w2 * x0;
                a21 += w2 * x1;
                a22 += w2 * x2;
                a23 += w2 * x3;
                float w3 = wt[wi + 3 * rs + kk];
                a30 += w3 * x0;
                a31 += w3 * x1;
                a32 += w3 * x2;
                a33 += w3 * x3;
                float w4 = wt[wi + 4 * rs + kk];
                a40 += w4 * x0;
                a41 += w4 * x1;
                a42 += w4 * x2;
                a43 += w4 * x3;
                float w5 = wt[wi + 5 * rs + kk];
                a50 += w5 * x0;
                a51 += w5 * x1;
                a52 += w5 * x2;
                a53 += w5 * x3;
                float w6 = wt[wi + 6 * rs + kk];
                a60 += w6 * x0;
                a61 += w6 * x1;
                a62 += w6 * x2;
                a63 += w6 * x3;
                float w7 = wt[wi + 7 * rs + kk];
                a70 += w7 * x0;
                a71 += w7 * x1;
                a72 += w7 * x2;
                a73 += w7 * x3;
            }
        }
        // out, one token column c of the register tile at a time: wt[tl·(tileRows+1) + r] holds tile token
        // tl + c·T, tile row r (T·(tileRows + 1) ≤ 32·129 floats, within wt; THREAD_ROWS values a thread). Column 0 is written, then the
        // columns move down by one.
        int op = tileRows + 1;
        // = THREAD_TOKENS (taken from the spec word like the other tile sizes)
        int columns = tileTokens >> ((spec >> 20) & 15);
        for (int c = 0; c < columns; c++) {
            ctx.localBarrier();
            int at = ti * op + ri;
            wt[at] = a00;
            wt[at + rowThreads] = a10;
            wt[at + 2 * rowThreads] = a20;
            wt[at + 3 * rowThreads] = a30;
            wt[at + 4 * rowThreads] = a40;
            wt[at + 5 * rowThreads] = a50;
            wt[at + 6 * rowThreads] = a60;
            wt[at + 7 * rowThreads] = a70;
            a00 = a01;
            a01 = a02;
            a02 = a03;
            a10 = a11;
            a11 = a12;
            a12 = a13;
            a20 = a21;
            a21 = a22;
            a22 = a23;
            a30 = a31;
            a31 = a32;
            a32 = a33;
            a40 = a41;
            a41 = a42;
            a42 = a43;
            a50 = a51;
            a51 = a52;
            a52 = a53;
            a60 = a61;
            a61 = a62;
            a62 = a63;
            a70 = a71;
            a71 = a72;
            a72 = a73;
            ctx.localBarrier();
            for (int i = 0; i < THREAD_ROWS; i++) {
                int idx = lid + threads * i;
                int tl = idx / tileRows;
                int r = idx - tl * tileRows;
                int t = t0 + tl + c * tokenThreads;
                int row = firstRow + r;
                put(y, mode, row < rows && t < t1, t * yStride + yCol + row, wt[tl * op + r]);
            }
        }
    }

    /**
     * The epilogue of one output value, when {@code inside} (also {@link BatchMatMulMma}'s); returns the value
     * stored (0 when not inside).
     */
    static float put(FloatArray y, int mode, boolean inside, int at, float acc) {
        float v = 0f;
        if (inside) {
            if (mode == STORE) {
                v = acc;
            } else if (mode == ADD) {
                v = y.get(at) + acc;
            } else {
                float g = y.get(at);
                v = Silu.of(g) * acc;
            }
            y.set(at, v);
        }
        return v;
    }
}
