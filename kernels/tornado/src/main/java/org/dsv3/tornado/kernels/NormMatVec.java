package org.dsv3.tornado.kernels;

import static org.dsv3.tornado.kernels.MatVec.GROUP;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Matrix–vector products whose input is RMS-normalised first (docs/architecture.md §6:
 * {@code RMSNorm(x, γ)_i = γ_i·x_i / sqrt(mean(x²) + ε)}), without a separate normalisation launch and
 * without any cross-work-group reduction. Whoever writes x also writes {@code xg = γ ⊙ x} element by
 * element; here every work-group sums {@code x²} itself (the vector is a few KiB, read from cache),
 * and {@code W·RMSNorm(x) = W·xg / sqrt(mean(x²) + ε)}. Same work-group shape as {@link MatVec}.
 */
public final class NormMatVec {
    /**
     * Widest input the 8-bit paths round into local memory (V3's and Kimi-K2's 7168); wider inputs, or
     * widths not a multiple of {@link Int8Dot#BLOCK}, take the float path ({@link #int8Fits}).
     */
    public static final int INT8_MAX_COLS = 7168;
    static final int INT8_MAX_BLOCKS = INT8_MAX_COLS / Int8Dot.BLOCK;
    /**
     * Words a staged activation block takes in local memory: its 8 quant words and one of padding, so that
     * the 32 lanes of a warp, each reading word j of its own block b, hit banks {@code (9b + j) mod 32}, all
     * different (with a pitch of 8, lanes b, b+4, b+8, … would share one).
     */
    static final int Q8_PITCH = 9;
    static final int Q8_STAGE_WORDS = INT8_MAX_BLOCKS * Q8_PITCH;
    /** {@link #expertsSpec} bit: the rows multiply the 8-bit input blocks. */
    public static final int EXPERTS_INT8_IN = 1 << 16;
    /** {@link #expertsSpec} bit: the work-group rounds its activation rows to an 8-bit block. */
    public static final int EXPERTS_ROUND_OUT = 1 << 17;
    /** Rows a work-group of {@link #expertsGateUp} rounds together: one block. */
    public static final int ROUND_ROWS = Int8Dot.BLOCK;
    /**
     * Most threads a work-group of {@link #expertsGateUp} may have ({@link #expertsGroup}): with {@link #EXPERTS_ROUND_OUT}
     * 32 rows of up to 32 lanes. The launch has only {@code topK·f/32} work-groups (V2-Lite: 264, two an H100/H200 SM),
     * so wider groups are how it gets more threads in flight (Nsight Compute on the H100, 256 threads: 24 % achieved
     * occupancy, half the stalls waiting on loads).
     */
    public static final int EXPERTS_MAX_GROUP = 1024;
    /**
     * {@link #routerAndGateUp}'s and {@link #project2}'s {@code int8} bits: the input's normalisation and 8-bit blocks
     * come from {@link Int8Round#blocks}…
     */
    public static final int INT8_INPUT = 1;
    /** …and the rows multiply those blocks in integers. */
    public static final int INT8_ROWS = 2;
    /** {@link #project2}'s {@code flags} bit: write {@code yAg = gA ⊙ yA} too. */
    public static final int GATE_A = 4;

    private NormMatVec() {
    }

    /** Whether an input of {@code cols} values can take the 8-bit paths of these kernels. */
    public static boolean int8Fits(int cols) {
        return cols % Int8Dot.BLOCK == 0 && cols <= INT8_MAX_COLS;
    }

    /**
     * Two projections of one normalised input in one launch: rows {@code 0 … rowsA−1} of A into
     * {@code yA} and then rows of B into {@code yB} ({@code rowsB} may be 0). With {@link #GATE_A} in {@code flags},
     * {@code yAg = gA ⊙ yA} is written too, for a later normalisation of {@code yA} (q-LoRA's
     * {@code attn_q_a_norm}). Used for {@code [q | kv_a]}, {@code [q_a | kv_a]}, {@code q_b} and the
     * output head. With {@link #INT8_ROWS} in {@code flags} (both types {@link WeightType#Q8_0_SPLIT}, {@link #int8Fits}
     * {@code (cols)}) the rows multiply, in integers, the 8-bit blocks of {@code xg} that {@link Int8Round#blocks} wrote
     * to {@code xq8} / {@code xs8} just before (docs/architecture.md §9.5), instead of {@code xg}, and the normalisation
     * comes from its partial sums of squares ({@code sumSquares}).
     */
    public static void project2(KernelContext ctx, FloatArray x, FloatArray xg, float eps, int cols,
                                IntArray wA, int typeA, int rowsA, FloatArray yA, FloatArray yAg, FloatArray gA,
                                IntArray wB, int typeB, int rowsB, FloatArray yB, int lanes,
                                int flags, IntArray xq8, FloatArray xs8, FloatArray sumSquares) {
        int lid = ctx.localIdx;
        int lane = lid & (lanes - 1);
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int[] q8 = ctx.allocateIntLocalArray(Q8_STAGE_WORDS);
        float[] d8 = ctx.allocateFloatLocalArray(INT8_MAX_BLOCKS);
        boolean rows8 = (flags & INT8_ROWS) != 0;
        float inv = 0f;
        if (rows8) {
            inv = Int8Round.inverseRms(sumSquares, cols, eps);
            // the input's 8-bit blocks staged as in routerAndGateUp: a lane takes whole blocks, and word j of 32
            // neighbouring blocks read from global memory is 32 sectors a load
            for (int w = lid; w < (cols >> 2); w += GROUP) {
                q8[(w >> 3) * Q8_PITCH + (w & 7)] = xq8.get(w);
            }
            for (int b = lid; b < (cols >> 5); b += GROUP) {
                d8[b] = xs8.get(b);
            }
            ctx.localBarrier();
        } else {
            float ss = 0f;
            for (int i = lid; i < cols; i += GROUP) {
                float v = x.get(i);
                ss += v * v;
            }
            part[lid] = ss;
            for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lid < stride) {
                    part[lid] += part[lid + stride];
                }
            }
            ctx.localBarrier();
            inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
            ctx.localBarrier();
        }

        int r = ctx.groupIdx * (GROUP / lanes) + lid / lanes;
        float s = 0f;
        int rowBytes = WeightType.rowBytes(WeightType.Q8_0_SPLIT, cols);
        int lg = Q8Split.groupLog(cols >> 5);
        if (rows8 && r < rowsA) {
            // as Residual.q8Row, on the staged blocks
            int words = (r * rowBytes) >> 2;
            int scales = r * rowBytes + cols;
            for (int b = lane; b < (cols >> 5); b += lanes) {
                int wq = words + Q8Split.blockBase(lg, b);
                int xb = b * Q8_PITCH;
                int acc = 0;
                for (int j = 0; j < 8; j++) {
                    acc = Int8Dot.dot4(wA.get(wq + (j << lg)), q8[xb + j], acc);
                }
                s += RawBytes.halfAt(wA, scales + (b << 1)) * d8[b] * acc;
            }
        } else if (rows8 && r < rowsA + rowsB) {
            int words = ((r - rowsA) * rowBytes) >> 2;
            int scales = (r - rowsA) * rowBytes + cols;
            for (int b = lane; b < (cols >> 5); b += lanes) {
                int wq = words + Q8Split.blockBase(lg, b);
                int xb = b * Q8_PITCH;
                int acc = 0;
                for (int j = 0; j < 8; j++) {
                    acc = Int8Dot.dot4(wB.get(wq + (j << lg)), q8[xb + j], acc);
                }
                s += RawBytes.halfAt(wB, scales + (b << 1)) * d8[b] * acc;
            }
        } else if (r < rowsA) {
            s = BlockDot.row(typeA, wA, r * WeightType.rowBytes(typeA, cols), cols, xg, 0, lane, lanes);
        } else if (r < rowsA + rowsB) {
            s = BlockDot.row(typeB, wB, (r - rowsA) * WeightType.rowBytes(typeB, cols), cols, xg, 0, lane, lanes);
        }
        part[lid] = s;
        for (int stride = lanes / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0) {
            float y = part[lid] * inv;
            if (r < rowsA) {
                yA.set(r, y);
                if ((flags & GATE_A) != 0) {
                    yAg.set(r, gA.get(r) * y);
                }
            } else if (r < rowsA + rowsB) {
                yB.set(r - rowsA, y);
            }
        }
    }

    /**
     * The FFN input of a block, normalised: router logits ({@code rowsR} rows of {@code wR}, 0 for a
     * dense block) and then SwiGLU rows {@code act[i] = silu(Wg[i]·x)·(Wu[i]·x)} (docs/architecture.md §5.2)
     * of the shared experts or the dense FFN ({@code rowsF}). A router row takes a work-group of its own, the
     * SwiGLU rows {@code GROUP/lanes} a work-group: launch {@code rowsR + MatVec.groups(rowsF, lanes)} work-groups.
     *
     * <p>With {@link #INT8_INPUT} in {@code int8} the input's normalisation comes from the partial sums of squares
     * and its 8-bit blocks (of {@code xg}) from {@code xq8} (quant words) / {@code xs8} (scales), as
     * {@link Int8Round#blocks} wrote them just before; with {@link #INT8_ROWS} too (both FFN types {@link WeightType#Q8_0_SPLIT}) the FFN rows are integer dot
     * products with those blocks, scaled once a block by the weights' and the input's scales (docs/architecture.md
     * §9.5: what 8-bit activations cost in accuracy, and where llama.cpp does the same). The router rows stay float.
     */
    public static void routerAndGateUp(KernelContext ctx, FloatArray x, FloatArray xg, float eps, int cols,
                                       IntArray wR, int typeR, int rowsR, FloatArray logits,
                                       IntArray wG, int typeG, IntArray wU, int typeU, int rowsF, FloatArray act, int lanes,
                                       int int8, IntArray xq8, FloatArray xs8, FloatArray sumSquares) {
        int lid = ctx.localIdx;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float[] part2 = ctx.allocateFloatLocalArray(GROUP);
        int[] q8 = ctx.allocateIntLocalArray(Q8_STAGE_WORDS);
        float[] d8 = ctx.allocateFloatLocalArray(INT8_MAX_BLOCKS);
        float inv = 0f;
        if ((int8 & INT8_INPUT) != 0) {
            // the normalisation and the 8-bit blocks from Int8Round.blocks, launched before this one
            inv = Int8Round.inverseRms(sumSquares, cols, eps);
            if ((int8 & INT8_ROWS) != 0) {
                for (int w = lid; w < (cols >> 2); w += GROUP) {
                    q8[(w >> 3) * Q8_PITCH + (w & 7)] = xq8.get(w);
                }
                for (int b = lid; b < (cols >> 5); b += GROUP) {
                    d8[b] = xs8.get(b);
                }
            }
            ctx.localBarrier();
        } else {
            float ss = 0f;
            for (int i = lid; i < cols; i += GROUP) {
                float v = x.get(i);
                ss += v * v;
            }
            part[lid] = ss;
            for (int stride = GROUP / 2; stride > 0; stride >>= 1) {
                ctx.localBarrier();
                if (lid < stride) {
                    part[lid] += part[lid + stride];
                }
            }
            ctx.localBarrier();
            inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
            ctx.localBarrier();
        }

        // a router row takes a whole work-group: its float32 rows are four times a Q8_0 row's bytes, decoded with
        // integer arithmetic (RawBytes.f32), and at `lanes` threads a row their few work-groups were the launch's tail
        boolean router = ctx.groupIdx < rowsR;
        int span = router ? GROUP : lanes;
        int lane = lid & (span - 1);
        int r = router ? ctx.groupIdx : rowsR + (ctx.groupIdx - rowsR) * (GROUP / lanes) + lid / lanes;
        float g = 0f;
        float u = 0f;
        if (router) {
            g = BlockDot.row(typeR, wR, r * WeightType.rowBytes(typeR, cols), cols, xg, 0, lane, GROUP);
        } else if (r < rowsR + rowsF) {
            int i = r - rowsR;
            if ((int8 & INT8_ROWS) != 0) {
                // Q8_0 split rows (the host asks for int8 only then) on the staged 8-bit input: a lane takes a
                // whole block (8 words) of the gate and the up row, the integer sums scaled once a block
                int start = i * WeightType.rowBytes(typeG, cols);
                int words = start >> 2;
                int scales = start + cols;
                int lg = Q8Split.groupLog(cols >> 5);
                for (int b = lane; b < (cols >> 5); b += lanes) {
                    int wq = words + Q8Split.blockBase(lg, b);
                    int xb = b * Q8_PITCH;
                    int ig = 0;
                    int iu = 0;
                    for (int j = 0; j < 8; j++) {
                        int xv = q8[xb + j];
                        ig = Int8Dot.dot4(wG.get(wq + (j << lg)), xv, ig);
                        iu = Int8Dot.dot4(wU.get(wq + (j << lg)), xv, iu);
                    }
                    float dx = d8[b];
                    g += RawBytes.halfAt(wG, scales + (b << 1)) * dx * ig;
                    u += RawBytes.halfAt(wU, scales + (b << 1)) * dx * iu;
                }
            } else if (typeG == WeightType.Q8_0_SPLIT && typeU == WeightType.Q8_0_SPLIT) {
                // as in expertsGateUp: both rows in one loop over one load of x
                int start = i * WeightType.rowBytes(typeG, cols);
                int words = start >> 2;
                int scales = start + cols;
                int lg = Q8Split.groupLog(cols >> 5);
                for (int k = lane; k < (cols >> 2); k += lanes) {
                    int xi = k << 2;
                    float x0 = xg.get(xi);
                    float x1 = xg.get(xi + 1);
                    float x2 = xg.get(xi + 2);
                    float x3 = xg.get(xi + 3);
                    int sa = scales + ((k >> 3) << 1);
                    int wk = words + Q8Split.word(lg, k >> 3, k & 7);
                    g += RawBytes.halfAt(wG, sa) * BlockDot.dot4Signed(wG.get(wk), x0, x1, x2, x3);
                    u += RawBytes.halfAt(wU, sa) * BlockDot.dot4Signed(wU.get(wk), x0, x1, x2, x3);
                }
            } else {
                g = BlockDot.row(typeG, wG, i * WeightType.rowBytes(typeG, cols), cols, xg, 0, lane, lanes);
                u = BlockDot.row(typeU, wU, i * WeightType.rowBytes(typeU, cols), cols, xg, 0, lane, lanes);
            }
        }
        part[lid] = g;
        part2[lid] = u;
        for (int stride = span / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
                part2[lid] += part2[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0) {
            if (router) {
                logits.set(r, part[lid] * inv);
            } else if (r < rowsR + rowsF) {
                float gate = part[lid] * inv;
                act.set(r - rowsR, Silu.of(gate) * (part2[lid] * inv));
            }
        }
    }

    /**
     * The routed experts' SwiGLU rows for one token, the choice of experts included: every work-group
     * routes the token from the router logits itself (the rule of {@link Routing}, the work-group's threads sharing
     * the scores in local memory: a parallel softmax or sigmoid, group scores, then each expert's rank among
     * the selection scores), so no launch waits for another; group 0 also stores the chosen ids and weights in
     * {@code route} (at {@link Routing#idsAt}, read later by {@link Residual#downAdd}). Then for each of the
     * {@code topK} chosen experts e, {@code act[j·f + i] = silu(Wg_e[i]·x)·(Wu_e[i]·x)}, the rows read
     * straight from the stacked {@code ffn_gate_exps}/{@code ffn_up_exps} tensors.
     *
     * <p>{@code lanes} threads take a row ({@link #expertsSpec}: 32 by default, so 8 rows a work-group of
     * {@link MatVec#GROUP}; the work-group's size is read from the launch, {@link #expertsGroup}). With
     * {@link #EXPERTS_INT8_IN} (both types {@link WeightType#Q8_0_SPLIT}) the rows multiply, in integers, the 8-bit
     * blocks of the normalised input that {@link #routerAndGateUp} stored in {@code xq8} / {@code xs8} (launched
     * before this one); otherwise the float input {@code xg}. With {@link #EXPERTS_ROUND_OUT} (8, 16 or 32 lanes a row
     * in work-groups of 256, 512 or 1024 threads: 32 rows, one block) the work-group also rounds its rows of {@code act} to an 8-bit block
     * ({@link Int8Dot#quant}, as {@code routerAndGateUp} rounds its input) and stores it after the input's blocks,
     * from value {@code cols} of {@code xq8} / {@code xs8}, for {@link Residual#downAdd}: no launch of its own.
     * Fewer, fuller work-groups also repeat the routing above less often.
     *
     * @param spec {@link #expertsSpec}: the weight types, lanes a row and the 8-bit options
     */
    public static void expertsGateUp(KernelContext ctx, FloatArray x, FloatArray xg, float eps, int cols,
                                     FloatArray logits, FloatArray bias, FloatArray route,
                                     IntArray wG, IntArray wU, int spec, int f, int topK, FloatArray act,
                                     int experts, int flags, int groupSpec, float scale, IntArray xq8, FloatArray xs8) {
        int lid = ctx.localIdx;
        int group = ctx.localGroupSizeX;
        int typeG = spec & 255;
        int typeU = (spec >> 8) & 255;
        boolean int8 = (spec & EXPERTS_INT8_IN) != 0;
        boolean round = (spec & EXPERTS_ROUND_OUT) != 0;
        int lanes = (spec >> 20) & 511;
        int lane = lid & (lanes - 1);
        float[] rowAct = ctx.allocateFloatLocalArray(ROUND_ROWS);
        int[] q8 = ctx.allocateIntLocalArray(Q8_STAGE_WORDS);
        float[] d8 = ctx.allocateFloatLocalArray(INT8_MAX_BLOCKS);
        int groups = groupSpec & 0xFFFF;
        int groupsUsed = (groupSpec >> 16) & 0xFFFF;
        boolean sigmoid = (flags & Routing.SIGMOID) != 0;
        float[] score = ctx.allocateFloatLocalArray(Routing.MAX_EXPERTS);
        float[] sel = ctx.allocateFloatLocalArray(Routing.MAX_EXPERTS);
        float[] groupScore = ctx.allocateFloatLocalArray(Routing.MAX_GROUPS);
        float[] part = ctx.allocateFloatLocalArray(EXPERTS_MAX_GROUP);
        float[] part2 = ctx.allocateFloatLocalArray(EXPERTS_MAX_GROUP);
        int[] chosen = ctx.allocateIntLocalArray(Routing.MAX_TOP_K);
        float[] weight = ctx.allocateFloatLocalArray(Routing.MAX_TOP_K);

        // routing 1: the largest logit (for a stable softmax); thread t holds experts t and t + group
        int e0 = lid;
        int e1 = lid + group;
        float l0 = e0 < experts ? logits.get(e0) : Routing.NEG_INF;
        float l1 = e1 < experts ? logits.get(e1) : Routing.NEG_INF;
        part[lid] = TornadoMath.max(l0, l1);
        for (int stride = group / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] = TornadoMath.max(part[lid], part[lid + stride]);
            }
        }
        ctx.localBarrier();
        float max = part[0];
        ctx.localBarrier();
        // routing 2: scores (sigmoid, or softmax over all experts) and the selection scores (+ bias)
        float v0 = sigmoid ? 1f / (1f + TornadoMath.exp(-l0)) : TornadoMath.exp(l0 - max);
        float v1 = sigmoid ? 1f / (1f + TornadoMath.exp(-l1)) : TornadoMath.exp(l1 - max);
        v0 = e0 < experts ? v0 : 0f;
        v1 = e1 < experts ? v1 : 0f;
        part[lid] = v0 + v1;
        for (int stride = group / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        float sum = part[0];
        if (e0 < experts) {
            float v = sigmoid ? v0 : v0 / sum;
            score[e0] = v;
            sel[e0] = (flags & Routing.BIAS) != 0 ? v + bias.get(e0) : v;
        }
        if (e1 < experts) {
            float v = sigmoid ? v1 : v1 / sum;
            score[e1] = v;
            sel[e1] = (flags & Routing.BIAS) != 0 ? v + bias.get(e1) : v;
        }
        ctx.localBarrier();
        // routing 3 (groups > 1): group scores, the groupsUsed best groups kept (marked 2e38), the others masked
        int per = groups > 1 ? experts / groups : experts;
        if (groups > 1 && lid < groups) {
            float best = Routing.NEG_INF;
            float second = Routing.NEG_INF;
            for (int e = lid * per; e < (lid + 1) * per; e++) {
                float v = sel[e];
                if (v > best) {
                    second = best;
                    best = v;
                } else if (v > second) {
                    second = v;
                }
            }
            groupScore[lid] = (flags & Routing.TOP2_SUM) != 0 && per > 1 ? best + second : best;
        }
        ctx.localBarrier();
        if (groups > 1 && lid == 0) {
            for (int k = 0; k < groupsUsed; k++) {
                int bestG = 0;
                float bestV = -3.4e38f;
                for (int g = 0; g < groups; g++) {
                    float v = groupScore[g];
                    if (v < 1e38f && v > bestV) {
                        bestG = g;
                        bestV = v;
                    }
                }
                groupScore[bestG] = 2e38f;
            }
        }
        ctx.localBarrier();
        if (groups > 1 && e0 < experts && groupScore[e0 / per] < 1e38f) {
            sel[e0] = Routing.NEG_INF;
        }
        if (groups > 1 && e1 < experts && groupScore[e1 / per] < 1e38f) {
            sel[e1] = Routing.NEG_INF;
        }
        // routing 4: the choice by rank, in one step: an expert's rank is the number of experts ahead of it (a
        // higher selection score, or the same at a lower index), and those of rank < topK are the choice, in the
        // order topK rounds of arg-max with ties to the lower index would give; masked experts (below -2e38)
        // are never chosen (slots left over keep expert 0, as those rounds would). One thread per expert, each
        // reading all selection scores: E reads instead of topK·log2(GROUP) barrier-separated rounds, which,
        // done by every work-group at once, were most of this kernel's instructions on the H200. (The count is
        // two ifs: TornadoVM 5.2 compiled {@code rank += w > v || (w == v && o < e) ? 1 : 0} wrongly on PoCL.)
        if (lid == 0) {
            for (int k = 0; k < topK; k++) {
                chosen[k] = 0;
                weight[k] = score[0];
            }
        }
        ctx.localBarrier();
        for (int e = lid; e < experts; e += group) {
            float v = sel[e];
            int rank = 0;
            for (int o = 0; o < experts; o++) {
                float w = sel[o];
                if (w > v) {
                    rank++;
                } else if (w == v && o < e) {
                    rank++;
                }
            }
            if (v > -2e38f && rank < topK) {
                chosen[rank] = e;
                weight[rank] = score[e];
            }
        }
        ctx.localBarrier();
        // routing 5: weights from the unbiased scores, optionally normalised, times the routed scale
        if (lid == 0) {
            float total = 0f;
            for (int k = 0; k < topK; k++) {
                total += weight[k];
            }
            float norm = (flags & Routing.NORMALIZE) != 0 ? 1f / TornadoMath.max(total, Routing.MIN_NORM_SUM) : 1f;
            for (int k = 0; k < topK; k++) {
                weight[k] = weight[k] * norm * scale;
                if (ctx.groupIdx == 0) {
                    route.set(Routing.idsAt(experts) + k, chosen[k]);
                    route.set(Routing.idsAt(experts) + topK + k, weight[k]);
                }
            }
        }

        // RMSNorm of x (as in the other kernels of this class)
        float ss = 0f;
        for (int i = lid; i < cols; i += group) {
            float v = x.get(i);
            ss += v * v;
        }
        part[lid] = ss;
        for (int stride = group / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lid < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        float inv = 1f / TornadoMath.sqrt(part[0] / cols + eps);
        if (int8) {
            // the input's 8-bit blocks (of xg: Int8Round.blocks), staged as in routerAndGateUp
            for (int w = lid; w < (cols >> 2); w += group) {
                q8[(w >> 3) * Q8_PITCH + (w & 7)] = xq8.get(w);
            }
            for (int b = lid; b < (cols >> 5); b += group) {
                d8[b] = xs8.get(b);
            }
        }
        ctx.localBarrier();

        int r = ctx.groupIdx * (group / lanes) + lid / lanes;
        float g = 0f;
        float u = 0f;
        if (r < topK * f) {
            int row = chosen[r / f] * f + r % f;
            if (int8) {
                // as routerAndGateUp's 8-bit rows: a lane takes whole blocks of the gate and the up row
                int start = row * WeightType.rowBytes(typeG, cols);
                int words = start >> 2;
                int scales = start + cols;
                int lg = Q8Split.groupLog(cols >> 5);
                for (int b = lane; b < (cols >> 5); b += lanes) {
                    int wq = words + Q8Split.blockBase(lg, b);
                    int xb = b * Q8_PITCH;
                    int ig = 0;
                    int iu = 0;
                    for (int j = 0; j < 8; j++) {
                        int xv = q8[xb + j];
                        ig = Int8Dot.dot4(wG.get(wq + (j << lg)), xv, ig);
                        iu = Int8Dot.dot4(wU.get(wq + (j << lg)), xv, iu);
                    }
                    float dx = d8[b];
                    g += RawBytes.halfAt(wG, scales + (b << 1)) * dx * ig;
                    u += RawBytes.halfAt(wU, scales + (b << 1)) * dx * iu;
                }
            } else if (typeG == WeightType.Q8_0_SPLIT && typeU == WeightType.Q8_0_SPLIT) {
                // gate and up rows together: x loaded once for both, two weight loads in flight per lane
                int start = row * WeightType.rowBytes(typeG, cols);
                int words = start >> 2;
                int scales = start + cols;
                int lg = Q8Split.groupLog(cols >> 5);
                for (int k = lane; k < (cols >> 2); k += lanes) {
                    int xi = k << 2;
                    float x0 = xg.get(xi);
                    float x1 = xg.get(xi + 1);
                    float x2 = xg.get(xi + 2);
                    float x3 = xg.get(xi + 3);
                    int sa = scales + ((k >> 3) << 1);
                    int wk = words + Q8Split.word(lg, k >> 3, k & 7);
                    g += RawBytes.halfAt(wG, sa) * BlockDot.dot4Signed(wG.get(wk), x0, x1, x2, x3);
                    u += RawBytes.halfAt(wU, sa) * BlockDot.dot4Signed(wU.get(wk), x0, x1, x2, x3);
                }
            } else {
                g = BlockDot.row(typeG, wG, row * WeightType.rowBytes(typeG, cols), cols, xg, 0, lane, lanes);
                u = BlockDot.row(typeU, wU, row * WeightType.rowBytes(typeU, cols), cols, xg, 0, lane, lanes);
            }
        }
        part[lid] = g;
        part2[lid] = u;
        for (int stride = lanes / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
                part2[lid] += part2[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0 && r < topK * f) {
            float gate = part[lid] * inv;
            float a = Silu.of(gate) * (part2[lid] * inv);
            act.set(r, a);
            if (round) {
                rowAct[lid / lanes] = a;
            }
        }
        ctx.localBarrier();
        // EXPERTS_ROUND_OUT: the group's 32 rows (topK·f is a multiple of 32, so a block is whole or absent) as one
        // 8-bit block, d = max|a|/127, q = round(a/d), thread t packing values 4t … 4t+3
        int first = ctx.groupIdx * ROUND_ROWS;
        if (round && lid < ROUND_ROWS / 4 && first < topK * f) {
            float m = 0f;
            for (int j = 0; j < ROUND_ROWS; j++) {
                m = TornadoMath.max(m, TornadoMath.abs(rowAct[j]));
            }
            float d = m / Int8Dot.MAX_QUANT;
            float id = d != 0f ? 1f / d : 0f;
            int word = 0;
            for (int j = 0; j < 4; j++) {
                word |= Int8Dot.pack(Int8Dot.quant(rowAct[4 * lid + j] * id), j);
            }
            xq8.set(((cols + first) >> 2) + lid, word);
            if (lid == 0) {
                xs8.set((cols + first) >> 5, d);
            }
        }
    }

    /**
     * {@link #expertsGateUp}'s {@code spec}: gate and up weight types ({@link WeightType} ids), {@code lanes} threads
     * a row (a power of two), and whether the rows read the 8-bit input ({@code int8In}) and round their activations
     * ({@code roundOut}). Without {@code roundOut} a work-group has {@link MatVec#GROUP} threads ({@code lanes} at most
     * that); with it, a work-group holds the {@link #ROUND_ROWS} rows of one block, so it has {@code 32·lanes} threads:
     * 8 lanes make the usual {@link MatVec#GROUP}, 16 or 32 make 512 or 1024 ({@link #expertsGroup}).
     */
    public static int expertsSpec(int typeG, int typeU, int lanes, boolean int8In, boolean roundOut) {
        boolean lanesOk = Integer.bitCount(lanes) == 1
                && (roundOut ? lanes * ROUND_ROWS >= GROUP && lanes * ROUND_ROWS <= EXPERTS_MAX_GROUP : lanes <= GROUP);
        if (!lanesOk) {
            throw new IllegalArgumentException("experts lanes " + lanes + (roundOut ? " (rounding takes " + GROUP / ROUND_ROWS
                    + ", " + 2 * GROUP / ROUND_ROWS + " or " + EXPERTS_MAX_GROUP / ROUND_ROWS + ")" : ""));
        }
        return typeG | typeU << 8 | (int8In ? EXPERTS_INT8_IN : 0) | (roundOut ? EXPERTS_ROUND_OUT : 0) | lanes << 20;
    }

    /** Threads a work-group of {@link #expertsGateUp} with {@code spec} ({@link #expertsSpec}) must have. */
    public static int expertsGroup(int spec) {
        int lanes = (spec >> 20) & 511;
        return (spec & EXPERTS_ROUND_OUT) != 0 ? lanes * ROUND_ROWS : GROUP;
    }
}
