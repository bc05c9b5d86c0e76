package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.enums.MMAShape;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link BatchMatMul}'s products on the tensor cores (PTX backend only: TornadoVM 5.2 lowers its MMA
 * intrinsics there, to {@code ldmatrix} and {@code mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32}).
 * Same launch, same arguments, same three ways to pick tokens and weights, same epilogues; two arguments
 * more: {@code xHalves} and {@code yHalves}, X read and Y also written as packed halves where the spec says so
 * ({@link BatchMatMul#X_HALVES}, {@link BatchMatMul#Y_HALVES}), and {@code staged}, global scratch through which
 * the accumulators reach the epilogue.
 *
 * <p>In MMA terms the tokens are M and the weight rows N: {@code D[t][r] = Σ_k X[t][k]·W[r][k]}. A
 * work-group of {@code 2·W} warps owns 64 tokens × {@code 32·W} rows ({@code W} = 2 or 4: the {@link
 * BatchTile} 64×64 or 128×64, whose thread counts, 128 and 256, are this kernel's). Warp (m, n) owns tokens
 * {@code 32m …} and rows {@code 32n …}: 2 × 4 accumulator fragments of 16 × 8. The k loop walks 32 columns a
 * step, like {@link BatchMatMul}: every thread decodes its share of the rows' slice (one run of 16 values
 * through {@link BlockRun} for the block types that have runs, else value by value through {@link
 * BlockValue}) and stores each value as a half (the store converts:
 * {@code new HalfFloat}) into B sub-tiles of 16 k × 8 rows in the XOR-swizzled order {@code
 * mmaLoadBSwizzled} reads ({@link #swizzled}; TornadoVM 5.2's own swizzled store gave wrong products
 * on the H200), and converts its share of the tokens' slice to halves packed two a word into A sub-tiles
 * (16 tokens × 16 k, row-major) — or, with {@link BatchMatMul#X_HALVES} in the spec, copies the pairs its
 * producer already wrote to {@code xHalves} ({@link BatchOps#rmsNorm}: each token's row converted once
 * instead of once per row tile); then each warp does its 2 × (2 A loads, 4 B loads, 8 MMAs).
 *
 * <p>Precision: weights and activations are rounded to IEEE halves (relative error ≤ 2⁻¹¹ each; activations
 * saturate at ±65504), the products summed in float32 by the tensor cores. This is not
 * {@link BatchMatMul}'s float path: the plan uses it only when asked ({@code dsv3.tornado.tensorCores}),
 * and its logits are checked against the CPU engine with their own bound (see {@code TornadoCheck}).
 *
 * <p>TornadoVM 5.2 cannot read an accumulator fragment's elements from Java, so every warp stores its
 * fragments ({@code mmaStore}) into this work-group's region of {@code staged} (64 × tile-rows floats at
 * {@code group·64} rows, row pitch the tile's rows); after a barrier the work-group reads them back, one
 * output a thread and neighbouring rows together, for the bounds tests and the epilogue. The activations'
 * halves are computed in software ({@link CacheFormat#f16Bits}): 5.2's PTX backend converts a float to a half
 * only as a store, and the A tile must hold packed words (mmaLoadA reads int tiles only).
 */
public final class BatchMatMulMma {
    /** Tokens of a work-group tile (two warps of 32 along M). */
    public static final int TILE_TOKENS = 64;
    /** Halves (k) a step: one Q8_0 block, two MMA k-steps of 16. */
    private static final int TILE_K = 32;
    /** Ints of one A sub-tile (16 tokens × 16 halves) and of one B sub-tile (16 k × 8 rows). */
    private static final int A_SUB_INTS = 128;
    private static final int B_SUB_HALVES = 128;
    /** A sub-tiles a k-step (64 tokens / 16) and B sub-tiles a k-step at the widest tile (128 rows / 8). */
    private static final int A_SUBS = 4;
    private static final int B_SUBS = 16;

    private BatchMatMulMma() {
    }

    /** Whether {@code tile} is a shape this kernel runs (64 tokens, 64 or 128 rows). */
    public static boolean fits(BatchTile tile) {
        return tile.tokens() == TILE_TOKENS && (tile.rows() == 64 || tile.rows() == 128);
    }

    /** Floats of {@code staged} a launch of {@code groups} work-groups of {@code tile} needs. */
    public static long stagedFloats(long groups, BatchTile tile) {
        return groups * TILE_TOKENS * tile.rows();
    }

    /**
     * Launch exactly as {@link BatchMatMul#multiply} with a {@link #fits fitting} tile; {@code staged} holds
     * at least {@link #stagedFloats} for the launch.
     */
    public static void multiply(KernelContext ctx, IntArray info, IntArray table, IntArray w, int type, int rows, int cols,
                                int wBatchRows, FloatArray x, IntArray xHalves, int xStride, int xBatchOff, FloatArray y,
                                IntArray yHalves, int yStride, int yBatchOff, int tokenTiles, int spec, FloatArray staged) {
        int lid = ctx.localIdx;
        int mode = spec & 15;
        int grouped = spec & BatchMatMul.GROUPED;
        int gatherK = (spec >> 8) & 255;
        int halvesIn = spec & BatchMatMul.X_HALVES;
        int halvesOut = spec & BatchMatMul.Y_HALVES;
        // the BatchTile shape of the spec word: rows = THREAD_ROWS << rowShift (64 or 128)
        int tileRows = BatchMatMul.THREAD_ROWS << ((spec >> 16) & 15);
        int threads = 2 * tileRows;
        int[] at = ctx.allocateIntLocalArray(2 * A_SUBS * A_SUB_INTS);
        HalfFloat[] bt = ctx.allocateHalfFloatLocalArray(2 * B_SUBS * B_SUB_HALVES);

        int rowTiles = (rows + tileRows - 1) / tileRows;
        int rt = ctx.groupIdx % rowTiles;
        int gy = ctx.groupIdx / rowTiles;
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
        int firstRow = rt * tileRows;
        int kEnd = t0 < t1 ? cols : 0;

        int warp = lid >> 5;
        int wm = warp & 1;
        int wn = warp >> 1;
        int wReads = tileRows * TILE_K / threads;
        // runs: 2 a row a step, one a thread (threads = 2 · tileRows)
        boolean runs = BlockRun.isRun(type);
        int xReads = TILE_TOKENS * (TILE_K / 2) / threads;
        float[] c00 = ctx.mmaFragment(0f);
        float[] c01 = ctx.mmaFragment(0f);
        float[] c02 = ctx.mmaFragment(0f);
        float[] c03 = ctx.mmaFragment(0f);
        float[] c10 = ctx.mmaFragment(0f);
        float[] c11 = ctx.mmaFragment(0f);
        float[] c12 = ctx.mmaFragment(0f);
        float[] c13 = ctx.mmaFragment(0f);
        for (int k0 = 0; k0 < kEnd; k0 += TILE_K) {
            ctx.localBarrier();
            if (runs) {
                // the rows' slice of W as halves, one run of 16 values a thread (BlockRun: scales decoded once a
                // run): row r's run at k0 + 16·half is column r % 8 of B sub-tile (half, r / 8). The four sub-tiles
                // a warp writes start at the same bank, so each starts at a different quad of its run (rot):
                // the warp's 32 stores of a step then fall in 32 distinct banks of the swizzled layout.
                int r = lid >> 1;
                int half = lid & 1;
                int rowAt = (batch * wRows + firstRow + r) * rowBytes;
                boolean inside = firstRow + r < rows && k0 + (half << 4) < cols;
                float scale = 0f;
                float offset = 0f;
                if (inside) {
                    scale = BlockRun.scale(type, w, rowAt, cols, k0 + (half << 4));
                    offset = BlockRun.offset(type, w, rowAt, cols, k0 + (half << 4));
                }
                int subAt = (half * B_SUBS + (r >> 3)) * B_SUB_HALVES;
                int n8 = r & 7;
                int rot = ((r >> 3) & 1) | (half << 1);
                for (int s = 0; s < 4; s++) {
                    int u = ((s + rot) & 3) << 2;
                    int quads = 0;
                    // each value a float of its own (assigned under the test) before the store converts it:
                    // a product expression handed straight to new HalfFloat gave wrong halves on the H200
                    float v0 = 0f;
                    float v1 = 0f;
                    float v2 = 0f;
                    float v3 = 0f;
                    if (inside) {
                        quads = BlockRun.quads(type, w, rowAt, cols, k0 + (half << 4) + u);
                        v0 = scale * RawBytes.byteOf(quads, 0) + offset;
                        v1 = scale * RawBytes.byteOf(quads, 1) + offset;
                        v2 = scale * RawBytes.byteOf(quads, 2) + offset;
                        v3 = scale * RawBytes.byteOf(quads, 3) + offset;
                    }
                    bt[subAt + swizzled(u, n8)] = new HalfFloat(v0);
                    bt[subAt + swizzled(u + 1, n8)] = new HalfFloat(v1);
                    bt[subAt + swizzled(u + 2, n8)] = new HalfFloat(v2);
                    bt[subAt + swizzled(u + 3, n8)] = new HalfFloat(v3);
                }
            } else {
                // the other types value by value (BlockValue): value (r, k0 + kk) to B sub-tile (kk / 16, r / 8)
                // at (kk % 16, r % 8), in the XOR-swizzled order that mmaLoadBSwizzled reads
                for (int i = 0; i < wReads; i++) {
                    int idx = lid + threads * i;
                    int r = idx >> 5;
                    int kk = idx & 31;
                    float v = 0f;
                    if (firstRow + r < rows && k0 + kk < cols) {
                        v = BlockValue.at(type, w, (batch * wRows + firstRow + r) * rowBytes, cols, k0 + kk);
                    }
                    int sub = (kk >> 4) * B_SUBS + (r >> 3);
                    bt[sub * B_SUB_HALVES + swizzled(kk & 15, r & 7)] = new HalfFloat(v);
                }
            }
            // the tokens' slice of X, two halves a word: pair p of token tt to A sub-tile (p / 8, tt / 16)
            for (int i = 0; i < xReads; i++) {
                int idx = lid + threads * i;
                int tt = idx >> 4;
                int p = idx & 15;
                int t = t0 + tt;
                int k = k0 + 2 * p;
                float v0 = 0f;
                float v1 = 0f;
                int pair = 0;
                if (t < t1) {
                    int xr = t;
                    if (gatherK > 0) {
                        xr = table.get(permAt + t) / gatherK;
                    }
                    int base = xr * xStride + xCol + k;
                    if (halvesIn != 0) {
                        // X_HALVES: the producer wrote the pair already (even strides and offsets, even cols)
                        if (k < cols) {
                            pair = xHalves.get(base >> 1);
                        }
                    } else {
                        if (k < cols) {
                            v0 = x.get(base);
                        }
                        if (k + 1 < cols) {
                            v1 = x.get(base + 1);
                        }
                    }
                }
                if (halvesIn == 0) {
                    pair = CacheFormat.saturatedF16Bits(v0) | (CacheFormat.saturatedF16Bits(v1) << 16);
                }
                int sub = (p >> 3) * A_SUBS + (tt >> 4);
                at[sub * A_SUB_INTS + (tt & 15) * 8 + (p & 7)] = pair;
            }
            ctx.localBarrier();
            for (int ks = 0; ks < 2; ks++) {
                int aSub = ks * A_SUBS + 2 * wm;
                int bSub = ks * B_SUBS + 4 * wn;
                HalfFloat[] a0 = ctx.mmaLoadA(at, 16, aSub * A_SUB_INTS * 4);
                HalfFloat[] a1 = ctx.mmaLoadA(at, 16, (aSub + 1) * A_SUB_INTS * 4);
                HalfFloat[] b0 = ctx.mmaLoadBSwizzled(bt, 16, bSub * B_SUB_HALVES * 2);
                HalfFloat[] b1 = ctx.mmaLoadBSwizzled(bt, 16, (bSub + 1) * B_SUB_HALVES * 2);
                HalfFloat[] b2 = ctx.mmaLoadBSwizzled(bt, 16, (bSub + 2) * B_SUB_HALVES * 2);
                HalfFloat[] b3 = ctx.mmaLoadBSwizzled(bt, 16, (bSub + 3) * B_SUB_HALVES * 2);
                c00 = ctx.mma(a0, b0, c00, MMAShape.M16N8K16);
                c01 = ctx.mma(a0, b1, c01, MMAShape.M16N8K16);
                c02 = ctx.mma(a0, b2, c02, MMAShape.M16N8K16);
                c03 = ctx.mma(a0, b3, c03, MMAShape.M16N8K16);
                c10 = ctx.mma(a1, b0, c10, MMAShape.M16N8K16);
                c11 = ctx.mma(a1, b1, c11, MMAShape.M16N8K16);
                c12 = ctx.mma(a1, b2, c12, MMAShape.M16N8K16);
                c13 = ctx.mma(a1, b3, c13, MMAShape.M16N8K16);
            }
        }
        // the fragments out to this work-group's region of staged (row = token of the tile, pitch tileRows)
        int sRow = ctx.groupIdx * TILE_TOKENS + 32 * wm;
        int sCol = 32 * wn;
        ctx.mmaStore(c00, staged, sRow, sCol, tileRows);
        ctx.mmaStore(c01, staged, sRow, sCol + 8, tileRows);
        ctx.mmaStore(c02, staged, sRow, sCol + 16, tileRows);
        ctx.mmaStore(c03, staged, sRow, sCol + 24, tileRows);
        ctx.mmaStore(c10, staged, sRow + 16, sCol, tileRows);
        ctx.mmaStore(c11, staged, sRow + 16, sCol + 8, tileRows);
        ctx.mmaStore(c12, staged, sRow + 16, sCol + 16, tileRows);
        ctx.mmaStore(c13, staged, sRow + 16, sCol + 24, tileRows);
        ctx.globalBarrier();
        // two neighbouring rows (output values) a thread, so that Y_HALVES writes whole words
        int pairRows = tileRows / 2;
        int pairs = TILE_TOKENS * pairRows / threads;
        int base = ctx.groupIdx * TILE_TOKENS * tileRows;
        for (int i = 0; i < pairs; i++) {
            int idx = lid + threads * i;
            int tl = idx / pairRows;
            int r = 2 * (idx - tl * pairRows);
            int t = t0 + tl;
            int row = firstRow + r;
            int yAt = t * yStride + yCol + row;
            float v0 = BatchMatMul.put(y, mode, row < rows && t < t1, yAt, staged.get(base + tl * tileRows + r));
            float v1 = BatchMatMul.put(y, mode, row + 1 < rows && t < t1, yAt + 1, staged.get(base + tl * tileRows + r + 1));
            if (halvesOut != 0 && row < rows && t < t1) {
                yHalves.set(yAt >> 1, CacheFormat.saturatedF16Bits(v0) | (CacheFormat.saturatedF16Bits(v1) << 16));
            }
        }
    }

    /**
     * Index (in halves) of element (k, n) of a 16 × 8 B sub-tile in the layout {@code mmaLoadBSwizzled}
     * reads: byte offset {@code 2·(8k + n)}, XOR-ed in bit 4 with bits 7–9 (TornadoVM's stride-32 fp16
     * swizzle; within 256 bytes: rows k ≥ 8 swap neighbouring 16-byte rows).
     */
    private static int swizzled(int k, int n) {
        int bo = (k * 8 + n) * 2;
        bo = bo ^ (((bo >> 7) & 7) << 4);
        return bo >> 1;
    }
}
