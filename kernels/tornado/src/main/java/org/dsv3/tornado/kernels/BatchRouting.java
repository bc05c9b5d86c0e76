package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The routed experts of a batch of tokens, all on the device (docs/architecture.md §5.3, the rule of
 * {@link Routing} and {@code org.dsv3.model.arch.Router}):
 * <ol>
 *   <li>{@link #route}: one thread per token chooses its {@code k} experts and their weights from its router
 *       logits into {@code route[t·2k …] = [ids (as floats, exact) | weights]};</li>
 *   <li>{@link #logits}: the router's logits, one work-group per token;</li>
 *   <li>{@link #group}: one work-group counts the assignments per expert, lays the experts' slots out one after
 *       the other (offsets), fills the permutation slot → assignment {@code t·k + j} and its inverse in token
 *       order, and cuts every expert's slots into tiles of {@link BatchTile#tokens()} for
 *       {@link BatchMatMul#multiply}'s grouped mode;</li>
 *   <li>{@link #combine}: {@code h[t] += Σ_j weight_j · down[slot(t, j)]}.</li>
 * </ol>
 * Table layout: {@code [tiles, permAt, (expert, first slot, end slot)·maxTiles, perm[n·k] at permAt,
 * slot of each assignment at slotAt]}.
 */
public final class BatchRouting {
    public static final int GROUP = 256;
    /** Expert ids {@link #group} keeps in local memory: a batch of 512 tokens with 8 experts each. */
    public static final int LOCAL_ASSIGNMENTS = 4096;
    /** Counters of {@link #group}: {@code experts · parts} is at most {@code max(GROUP, MAX_EXPERTS)}. */
    private static final int COUNTERS = Routing.MAX_EXPERTS > GROUP ? Routing.MAX_EXPERTS : GROUP;

    private BatchRouting() {
    }

    /** Ints of the table for batches of up to {@code tokens} tokens, cut into tiles of {@code tile}. */
    public static int tableSize(int tokens, int topK, int experts, BatchTile tile) {
        return 2 + 3 * tile.maxExpertTiles(tokens * topK, experts) + 2 * tokens * topK;
    }

    /** Where the permutation starts in the table. */
    public static int permAt(int tokens, int topK, int experts, BatchTile tile) {
        return 2 + 3 * tile.maxExpertTiles(tokens * topK, experts);
    }

    /** Where the slot of each assignment starts in the table. */
    public static int slotAt(int tokens, int topK, int experts, BatchTile tile) {
        return permAt(tokens, topK, experts, tile) + tokens * topK;
    }

    /**
     * The router's logits {@code y[t·rows + r] = W[r]·x[t]} ({@code x} pitch {@code cols}), one work-group per
     * token: its warps take rows {@code warp, warp + 8, …}, 32 lanes a row as in {@link MatVec}. The router has
     * only {@code experts} rows (64 in V2-Lite), too few for a tile of {@link BatchMatMul} to fill the device
     * (one row tile × 8 token tiles); here every token is a work-group and the small matrix stays in L2.
     */
    public static void logits(KernelContext ctx, IntArray info, IntArray w, int type, int rows, int cols, FloatArray x,
                              FloatArray y) {
        int lid = ctx.localIdx;
        int t = ctx.groupIdx;
        int lane = lid & (MatVec.LANES - 1);
        int warp = lid / MatVec.LANES;
        int warps = GROUP / MatVec.LANES;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int rowBytes = WeightType.rowBytes(type, cols);
        boolean live = t < info.get(0);
        for (int r0 = 0; r0 < rows; r0 += warps) {
            int r = r0 + warp;
            float s = 0f;
            if (live && r < rows) {
                s = BlockDot.row(type, w, r * rowBytes, cols, x, t * cols, lane, MatVec.LANES);
            }
            part[lid] = s;
            for (int stride = MatVec.LANES / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lane < stride) {
                    part[lid] += part[lid + stride];
                }
            }
            ctx.localBarrier();
            if (lane == 0 && live && r < rows) {
                y.set(t * rows + r, part[lid]);
            }
        }
    }

    /**
     * Thread t routes token t ({@code logits} pitch {@code experts}); {@code scratch} holds per token
     * {@code 2·experts + groups} floats (scores, selection scores, group scores).
     *
     * @param groupSpec {@code groups | groupsUsed << 16}; flags as {@link Routing}
     */
    public static void route(KernelContext ctx, IntArray info, FloatArray logits, FloatArray bias, FloatArray scratch,
                             FloatArray route, int experts, int topK, int flags, int groupSpec, float scale) {
        int t = ctx.globalIdx;
        int groups = groupSpec & 0xFFFF;
        int groupsUsed = (groupSpec >> 16) & 0xFFFF;
        int sc = t * (2 * experts + groups);
        int se = sc + experts;
        int sg = se + experts;
        int lo = t * experts;
        boolean sigmoid = (flags & Routing.SIGMOID) != 0;
        if (t < info.get(0)) {
            float max = Routing.NEG_INF;
            for (int e = 0; e < experts; e++) {
                max = TornadoMath.max(max, logits.get(lo + e));
            }
            float sum = 0f;
            for (int e = 0; e < experts; e++) {
                float l = logits.get(lo + e);
                float v = sigmoid ? 1f / (1f + TornadoMath.exp(-l)) : TornadoMath.exp(l - max);
                scratch.set(sc + e, v);
                sum += v;
            }
            for (int e = 0; e < experts; e++) {
                float v = sigmoid ? scratch.get(sc + e) : scratch.get(sc + e) / sum;
                scratch.set(sc + e, v);
                scratch.set(se + e, (flags & Routing.BIAS) != 0 ? v + bias.get(e) : v);
            }
            if (groups > 1) {
                int per = experts / groups;
                for (int g = 0; g < groups; g++) {
                    float best = Routing.NEG_INF;
                    float second = Routing.NEG_INF;
                    for (int e = g * per; e < (g + 1) * per; e++) {
                        float v = scratch.get(se + e);
                        if (v > best) {
                            second = best;
                            best = v;
                        } else if (v > second) {
                            second = v;
                        }
                    }
                    scratch.set(sg + g, (flags & Routing.TOP2_SUM) != 0 && per > 1 ? best + second : best);
                }
                // keep the groupsUsed best groups (marked 2e38), ties to the lower index; mask the others' experts
                for (int k = 0; k < groupsUsed; k++) {
                    int bestG = 0;
                    float bestV = -3.4e38f;
                    for (int g = 0; g < groups; g++) {
                        float v = scratch.get(sg + g);
                        if (v < 1e38f && v > bestV) {
                            bestG = g;
                            bestV = v;
                        }
                    }
                    scratch.set(sg + bestG, 2e38f);
                }
                for (int e = 0; e < experts; e++) {
                    if (scratch.get(sg + e / per) < 1e38f) {
                        scratch.set(se + e, Routing.NEG_INF);
                    }
                }
            }
            // top-k over the selection scores, ties to the lower index; a chosen expert is marked -3.3e38
            float total = 0f;
            for (int k = 0; k < topK; k++) {
                int best = 0;
                float bestV = -3.4e38f;
                for (int e = 0; e < experts; e++) {
                    float v = scratch.get(se + e);
                    if (v > -3.2e38f && v > bestV) {
                        best = e;
                        bestV = v;
                    }
                }
                scratch.set(se + best, -3.3e38f);
                route.set(t * 2 * topK + k, (float) best);
                float wgt = scratch.get(sc + best);
                route.set(t * 2 * topK + topK + k, wgt);
                total += wgt;
            }
            float norm = (flags & Routing.NORMALIZE) != 0 ? 1f / TornadoMath.max(total, Routing.MIN_NORM_SUM) : 1f;
            for (int k = 0; k < topK; k++) {
                route.set(t * 2 * topK + topK + k, route.get(t * 2 * topK + topK + k) * norm * scale);
            }
        }
    }

    /**
     * One work-group of {@link #GROUP} threads; see the class comment for the table. {@code tileTokens}: the
     * {@link BatchTile#tokens()} of the grouped products.
     *
     * <p>The batch's expert ids are first copied to local memory (the first {@link #LOCAL_ASSIGNMENTS}; any
     * beyond are read from {@code route}). Each expert then has {@code parts = GROUP / experts} threads (at least
     * one; with more experts than threads a thread serves experts {@code lid, lid + GROUP, …}), thread part p
     * scanning the p-th contiguous share of the assignments: it counts them, and after one thread has laid out
     * the offsets (expert by expert, part by part, so every expert's slots stay in assignment order) it places
     * them. V2-Lite, 512 tokens: 64 experts × 4 parts, 768 local reads a thread and pass, instead of one thread
     * an expert reading all 3,072 assignments from global memory twice.
     */
    public static void group(KernelContext ctx, IntArray info, FloatArray route, int topK, int experts, IntArray table,
                             int permAt, int slotAt, int tileTokens) {
        int lid = ctx.localIdx;
        int[] ids = ctx.allocateIntLocalArray(LOCAL_ASSIGNMENTS);
        // per (expert, part): the count, then the first slot
        int[] count = ctx.allocateIntLocalArray(COUNTERS);
        int assignments = info.get(0) * topK;
        int cached = assignments < LOCAL_ASSIGNMENTS ? assignments : LOCAL_ASSIGNMENTS;
        for (int a = lid; a < cached; a += GROUP) {
            ids[a] = expertOf(route, a, topK);
        }
        int parts = experts < GROUP ? GROUP / experts : 1;
        int stride = GROUP / parts;
        int part = lid % parts;
        int from = part * assignments / parts;
        int to = (part + 1) * assignments / parts;
        ctx.localBarrier();
        for (int e = lid / parts; e < experts; e += stride) {
            int c = 0;
            for (int a = from; a < to; a++) {
                int id = a < LOCAL_ASSIGNMENTS ? ids[a] : expertOf(route, a, topK);
                if (id == e) {
                    c++;
                }
            }
            count[e * parts + part] = c;
        }
        ctx.localBarrier();
        if (lid == 0) {
            int off = 0;
            int tiles = 0;
            for (int e = 0; e < experts; e++) {
                int c = 0;
                for (int p = 0; p < parts; p++) {
                    int n = count[e * parts + p];
                    count[e * parts + p] = off + c;
                    c += n;
                }
                for (int s = 0; s < c; s += tileTokens) {
                    table.set(2 + 3 * tiles, e);
                    table.set(3 + 3 * tiles, off + s);
                    table.set(4 + 3 * tiles, s + tileTokens < c ? off + s + tileTokens : off + c);
                    tiles++;
                }
                off += c;
            }
            table.set(0, tiles);
            table.set(1, permAt);
        }
        ctx.localBarrier();
        for (int e = lid / parts; e < experts; e += stride) {
            int s = count[e * parts + part];
            for (int a = from; a < to; a++) {
                int id = a < LOCAL_ASSIGNMENTS ? ids[a] : expertOf(route, a, topK);
                if (id == e) {
                    table.set(permAt + s, a);
                    table.set(slotAt + a, s);
                    s++;
                }
            }
        }
    }

    /** The expert of assignment {@code a = t·k + j}: token t's j-th id in {@code route} (a float, exact). */
    private static int expertOf(FloatArray route, int a, int topK) {
        return (int) route.get((a / topK) * 2 * topK + a % topK);
    }

    /** {@code h[t·dim + i] += Σ_j weight_tj · down[slot(t, j)·dim + i]}; launch with ≥ {@code maxTokens·dim} threads. */
    public static void combine(KernelContext ctx, IntArray info, FloatArray route, IntArray table, int slotAt, int topK,
                               FloatArray down, int dim, FloatArray h) {
        int g = ctx.globalIdx;
        int t = g / dim;
        int i = g % dim;
        if (t < info.get(0)) {
            float s = 0f;
            for (int j = 0; j < topK; j++) {
                int slot = table.get(slotAt + t * topK + j);
                s += route.get(t * 2 * topK + topK + j) * down.get(slot * dim + i);
            }
            h.set(t * dim + i, h.get(t * dim + i) + s);
        }
    }
}
