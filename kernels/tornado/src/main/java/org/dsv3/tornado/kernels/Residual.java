package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;
import static org.dsv3.tornado.kernels.MatVec.LANES;
import static org.dsv3.tornado.kernels.MatVec.ROWS;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The projections that end a sub-block and add into the residual stream {@code h} (docs/architecture.md
 * §6: {@code h += MLA(…)}, {@code h += FFN(…)}). Each also writes {@code hg = γ ⊙ h} with the gain of
 * the normalisation that reads h next, which is all {@link NormMatVec} needs from its producer.
 * Row r of h is updated by exactly one lane-0 thread: no races. Shape as {@link MatVec}.
 */
public final class Residual {
    /** {@link #downAdd}'s {@code flags} bit: the routed experts' rows on 8-bit activations. */
    public static final int INT8_ROUTED = 1;
    /**
     * {@link #downAdd}'s {@code flags} bit: a work-group takes two neighbouring output rows (launch {@code rows/2}
     * groups; {@code rows} must be even, as every model's width is): V2-Lite's 2048 rows then make 1024 groups, one
     * wave at 8 groups an SM (with one row a group, 1.94 waves on the H100 by Nsight Compute, the second a partial
     * one), and the route is read once for both rows.
     */
    public static final int TWO_ROWS = 2;

    private Residual() {
    }

    /**
     * This lane's share of a {@link WeightType#Q8_0_SPLIT} row (from byte {@code start}, {@code cols} values) times
     * 8-bit activation blocks (quant words from {@code xWord}, scales from {@code xBlock}): a lane takes whole
     * blocks, their eight words' integer dot products summed, then scaled once by both scales.
     */
    static float q8Row(IntArray w, int start, int cols, IntArray xq, int xWord, FloatArray xs, int xBlock,
                       int lane, int lanes) {
        int words = start >> 2;
        int scales = start + cols;
        int lg = Q8Split.groupLog(cols >> 5);
        float s = 0f;
        for (int b = lane; b < (cols >> 5); b += lanes) {
            int wq = words + Q8Split.blockBase(lg, b);
            int xb = xWord + (b << 3);
            int acc = 0;
            for (int j = 0; j < 8; j++) {
                acc = Int8Dot.dot4(w.get(wq + (j << lg)), xq.get(xb + j), acc);
            }
            s += RawBytes.halfAt(w, scales + (b << 1)) * xs.get(xBlock + b) * acc;
        }
        return s;
    }

    /** {@code h[r] += W[r]·x; hg[r] = gain[r]·h[r]} (attention output projection). */
    public static void projectAdd(KernelContext ctx, FloatArray x, IntArray w, int type, int rows, int cols,
                                  FloatArray h, FloatArray gain, FloatArray hg, int lanes) {
        int lid = ctx.localIdx;
        int lane = lid & (lanes - 1);
        int r = ctx.groupIdx * (GROUP / lanes) + lid / lanes;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float s = 0f;
        if (r < rows) {
            s = BlockDot.row(type, w, r * WeightType.rowBytes(type, cols), cols, x, 0, lane, lanes);
        }
        part[lid] = s;
        for (int stride = lanes / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0 && r < rows) {
            float v = h.get(r) + part[lid];
            h.set(r, v);
            hg.set(r, gain.get(r) * v);
        }
    }

    /**
     * The down projections of a FFN added into h (docs/architecture.md §5.3 steps 9–10):
     * {@code h[r] += Σ_j wts[j]·(Wd_{ids[j]}[r]·act_j) + Ws[r]·shAct}, the chosen ids and weights read
     * from {@code route} at {@code idsAt} (see {@link Routing}). The routed experts' rows come
     * from the stacked {@code ffn_down_exps} ({@code topK} may be 0: a dense block passes its FFN as the
     * "shared" part); {@code fS} may be 0 when there is no shared expert.
     *
     * <p>One output row per work-group (launch {@code rows·GROUP} threads; two with {@link #TWO_ROWS}, {@link #downGroups}):
     * warp j takes the row of the j-th
     * chosen expert (warps j, j+8, … when {@code topK} > 8); the shared expert's (or dense FFN's) row goes to the
     * warps no routed row needs, at the same time (V2-Lite's top-6: warps 6 and 7; a dense block: all 8), or, when
     * every warp has a routed row, to all {@link MatVec#GROUP} threads after them; the whole group adds up. With one row per 32 lanes, as the
     * other matvecs, the 2048 rows of a V2-Lite block made only 256 work-groups — two per H200 SM — each
     * walking its row's seven products one after the other.
     *
     * <p>With {@link #INT8_ROUTED} in {@code flags} (the routed weights {@link WeightType#Q8_0_SPLIT}) the routed rows
     * multiply, in integers, the activations {@link NormMatVec#expertsGateUp} rounded to 8-bit blocks: quants in
     * {@code xq} from word {@code rows/4}, scales in {@code xs} from {@code rows/32} (after the FFN input's blocks,
     * which are {@code rows} values long), instead of {@code act}. The shared row stays on floats: its activations
     * come from work-groups of a few rows each, which cannot round a block.
     */
    public static void downAdd(KernelContext ctx, FloatArray act, FloatArray route, int idsAt, IntArray wD, int typeD,
                               int f, int topK, FloatArray shAct, IntArray wS, int typeS, int fS, int rows,
                               FloatArray h, FloatArray gain, FloatArray hg, int flags, IntArray xq, FloatArray xs) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int warp = lid / LANES;
        // rows a work-group, 1 or 2 (then rows is even, so the second exists wherever the first does)
        int pairs = 1 + ((flags & TWO_ROWS) >> 1);
        int r = ctx.groupIdx * pairs;
        boolean second = pairs > 1;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float[] part2 = ctx.allocateFloatLocalArray(GROUP);
        boolean int8Rows = (flags & INT8_ROUTED) != 0;
        float s = 0f;
        float s2 = 0f;
        if (r < rows) {
            int rowBytes = WeightType.rowBytes(typeD, f);
            for (int j = warp; j < topK; j += ROWS) {
                int row = (int) route.get(idsAt + j) * rows + r;
                float wt = route.get(idsAt + topK + j);
                if (int8Rows) {
                    s += wt * q8Row(wD, row * rowBytes, f, xq, (rows + j * f) >> 2, xs, (rows + j * f) >> 5, lane, LANES);
                    if (second) {
                        s2 += wt * q8Row(wD, (row + 1) * rowBytes, f, xq, (rows + j * f) >> 2, xs, (rows + j * f) >> 5,
                                lane, LANES);
                    }
                } else {
                    s += wt * BlockDot.row(typeD, wD, row * rowBytes, f, act, j * f, lane, LANES);
                    if (second) {
                        s2 += wt * BlockDot.row(typeD, wD, (row + 1) * rowBytes, f, act, j * f, lane, LANES);
                    }
                }
            }
            if (fS > 0) {
                // the warps no routed row needs (8 - topK of them) take the shared row meanwhile; with no warp to
                // spare (top-8 routing) every thread takes it afterwards
                int spare = topK < ROWS ? ROWS - topK : 0;
                int sharedLane = spare > 0 ? lid - topK * LANES : lid;
                int sharedLanes = spare > 0 ? spare * LANES : GROUP;
                int rowBytesS = WeightType.rowBytes(typeS, fS);
                if (sharedLane >= 0) {
                    s += BlockDot.row(typeS, wS, r * rowBytesS, fS, shAct, 0, sharedLane, sharedLanes);
                    if (second) {
                        s2 += BlockDot.row(typeS, wS, (r + 1) * rowBytesS, fS, shAct, 0, sharedLane, sharedLanes);
                    }
                }
            }
        }
        part[lid] = s;
        part2[lid] = s2;
        for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] += part[lid + stride];
                part2[lid] += part2[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lid == 0 && r < rows) {
            float v = h.get(r) + part[0];
            h.set(r, v);
            hg.set(r, gain.get(r) * v);
        }
        if (second) {
            if (lid == 1 && r < rows) {
                float v = h.get(r + 1) + part2[0];
                h.set(r + 1, v);
                hg.set(r + 1, gain.get(r + 1) * v);
            }
        }
    }

    /** Work-groups {@link #downAdd} launches for {@code rows} output rows with {@code flags}. */
    public static int downGroups(int rows, int flags) {
        if ((flags & TWO_ROWS) != 0 && rows % 2 != 0) {
            throw new IllegalArgumentException("two rows a work-group needs an even number of rows, got " + rows);
        }
        return (flags & TWO_ROWS) != 0 ? rows / 2 : rows;
    }
}
