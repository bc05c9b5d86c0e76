package org.dsv3.tornado.tasks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dsv3.model.arch.RoutingRule;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.tornado.kernels.Embedding;
import org.dsv3.tornado.kernels.Int8Dot;
import org.dsv3.tornado.kernels.Int8Round;
import org.dsv3.tornado.kernels.LatentAttention;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.NormMatVec;
import org.dsv3.tornado.kernels.Residual;
import org.dsv3.tornado.kernels.Routing;
import org.dsv3.tornado.kernels.Sampling;
import org.dsv3.tornado.kernels.WeightType;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The task graphs of one decode step (one token), wired as a data-flow diagram of the kernels:
 * <pre>
 *   step ─► embed ─► [block 0] ─► [block 1] ─► … ─► [block N−1] ─► logits ─► argmax ─► id
 *
 *   block:  h,hg ─► qkv ─► (q_b) ─► absorb ─► attend ─► expand ─► out(+h) ─► ffnIn ─► (experts) ─► down(+h)
 *                   [q|kv_a]        q_abs     cache row slices   merge,    W_o         router,    top-k +     routed +   h,hg
 *                                             softmax            W_UV                  shared     routed      shared
 *                                                                                      gate/up    gate/up     down
 * </pre>
 * With 8-bit inputs ({@link Int8Ffn}) a rounding launch ({@code qkvRound}, {@code ffnRound}, {@code headRound}:
 * {@link Int8Round#blocks}) comes before qkv, ffnIn and logits, and the experts launch rounds its own SwiGLU rows
 * for the routed down rows.
 * Blocks are grouped up to {@link #TASKS_PER_GRAPH} launches to a graph (TornadoVM 5.2 holds up to ~63 of our tasks a graph;
 * each graph is one {@code execute()} per token); the last graph is the output head. Weights go up once
 * ({@code FIRST_EXECUTION}); the per-token buffers ({@link Activations}) are created by the first graph
 * and handed on with {@code persistOnDevice}/{@code consumeFromDevice}; a block's latent cache lives in
 * its own graph across tokens.
 */
final class DecodeGraphs {
    static final String HEAD = "head";

    final List<ImmutableTaskGraph> graphs = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final GridScheduler grids = new GridScheduler();
    /** Weight bytes each task ({@code graph.task}) reads per token, for bandwidth reports. */
    final Map<String, Long> weightBytes = new HashMap<>();
    /** Every task of a token ({@code graph.task}), in launch order, head included. */
    final List<String> tasks = new ArrayList<>();
    /** Kernel launches per token (head included). */
    int tasksPerToken;
    /** The first block of each block graph, in order. */
    final List<Integer> firstBlocks = new ArrayList<>();
    /**
     * Most launches a block graph holds: TornadoVM 5.2 records a graph's tasks in a fixed 8 KiB buffer
     * (TornadoTaskGraph's highLevelCode): 63 of ours fit (7 float V2-Lite blocks), a whole V2-Lite step (~245)
     * overflows it. Fewer, larger graphs save {@code execute()} calls (H200, V2-Lite Q8_0, PTX + CUDA graphs:
     * 7 executes a token 122 tok/s, 5 → 124, 4 → 125).
     */
    static final int TASKS_PER_GRAPH = 63;

    private final DeviceModel m;
    private final DeepSeekConfig c;
    private final Activations a;
    private final KernelContext ctx = new KernelContext();
    private final int slicePositions;

    private final int matvecThreads;
    private final AttentionKernel attention;
    private final Int8Ffn int8Ffn;
    private final DecodeKernels kernels;
    private final int expertLanes;
    private final int expertsGroup;
    private final boolean downTwoRows;

    private DecodeGraphs(DeviceModel m, Activations a, int slicePositions, int matvecThreads, AttentionKernel attention,
                         Int8Ffn int8Ffn, boolean dp4a, int expertLanes, int expertsGroup,
                         boolean downTwoRows) {
        this.m = m;
        this.c = m.config;
        this.a = a;
        this.slicePositions = slicePositions;
        this.matvecThreads = matvecThreads;
        this.attention = attention;
        this.int8Ffn = int8Ffn;
        this.kernels = DecodeKernels.of(dp4a);
        this.expertLanes = expertLanes;
        this.expertsGroup = expertsGroup;
        this.downTwoRows = downTwoRows;
    }

    /** Whether the FFN's down launches take two output rows a work-group ({@link PlanOptions#downTwoRows}). */
    boolean downTwoRows() {
        return downTwoRows;
    }

    /** Lanes per row for a matvec of {@code rows} rows (see {@link MatVec#lanesFor}). */
    private int lanes(int rows) {
        return MatVec.lanesFor(rows, matvecThreads);
    }

    /**
     * The 8-bit choices of one block ({@link Int8Ffn}; Q8_0 weights, inputs of whole blocks): q/kv on the rounded
     * RMSNorm(h) ({@code qkv}), a rounding launch before the FFN ({@code ffnRound}), the shared experts' or dense FFN's
     * gate/up on it ({@code ffnRows}), the routed experts' gate/up on it ({@code routedIn}), and the routed SwiGLU rows
     * rounded by the experts launch for integer down rows ({@code routedDown}).
     */
    private record Int8Choice(boolean qkv, boolean ffnRound, boolean ffnRows, boolean routedIn, boolean routedDown) {
    }

    private Int8Choice int8Of(DeviceModel.Layer l) {
        boolean fits = int8Ffn.routed() && NormMatVec.int8Fits(c.dim());
        boolean all = fits && int8Ffn.sharedAndDense();
        DeviceTensor q = c.hasQLora() ? l.qA() : l.q();
        boolean qkv = all && q8(q.type()) && q8(l.kvA().type());
        if (!l.moe()) {
            boolean dense = all && q8(l.gate().type()) && q8(l.up().type());
            return new Int8Choice(qkv, dense, dense, false, false);
        }
        boolean shared = all && l.gate() != null && q8(l.gate().type()) && q8(l.up().type());
        boolean routedIn = fits && q8(l.gateExps().type()) && q8(l.upExps().type());
        boolean routedDown = fits && q8(l.downExps().type()) && c.expertFfnDim() % Int8Dot.BLOCK == 0;
        return new Int8Choice(qkv, shared || routedIn, shared, routedIn, routedDown);
    }

    /**
     * Kernel launches of block {@code i} as {@link #block} declares them (checked there): (qkvRound), qkv, (q_b),
     * absorb, attend, expand (merge and expand in one launch; two where the shape does not fit it), out, (ffnRound),
     * ffnIn, (experts), down.
     */
    int launches(int i) {
        DeviceModel.Layer l = m.layers[i];
        Int8Choice x = int8Of(l);
        int attention = LatentAttention.mergeExpandFits(c.vHeadDim(), c.kvLoraRank()) ? 4 : 5;
        return (x.qkv() ? 1 : 0) + 1 + (c.hasQLora() ? 1 : 0) + attention + (x.ffnRound() ? 1 : 0) + 1 + (l.moe() ? 1 : 0) + 1;
    }

    /** Graph index of the output head (logits and argmax); the block graphs come before it. */
    int head() {
        return graphs.size() - 1;
    }

    /**
     * @param layersPerGraph blocks a graph; 0 = as many as keep a graph within {@link #TASKS_PER_GRAPH} launches, counted
     *                       from what each block declares ({@link #launches})
     */
    static DecodeGraphs build(DeviceModel m, Activations a, int layersPerGraph, int slicePositions, int matvecThreads,
                              AttentionKernel attention, Int8Ffn int8Ffn, boolean dp4a, int expertLanes,
                              int expertsGroup, boolean downTwoRows) {
        DecodeGraphs d = new DecodeGraphs(m, a, slicePositions, matvecThreads, attention, int8Ffn, dp4a, expertLanes,
                expertsGroup, downTwoRows);
        int blocks = m.layers.length;
        String previous = null;
        for (int first = 0; first < blocks; ) {
            int end = first + 1;
            int launches = d.launches(first);
            while (end < blocks && (layersPerGraph > 0 ? end - first < layersPerGraph
                    : launches + d.launches(end) <= TASKS_PER_GRAPH)) {
                launches += d.launches(end++);
            }
            String name = "decode" + d.graphs.size();
            TaskGraph g = new TaskGraph(name);
            Activations.Unused u = Activations.Unused.create();
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, u.all());
            if (previous == null) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, a.step);
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, rest(a.shared()));
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, m.embedding.words(), m.layers[0].attnNorm());
                d.add(g, name, "embed", (m.config.dim() + MatVec.GROUP - 1) / MatVec.GROUP);
                g.task("embed", Embedding::lookup, d.ctx, a.step, m.embedding.words(), m.embedding.type(),
                        d.c.dim(), m.layers[0].attnNorm(), a.h, a.hg);
            } else {
                g.consumeFromDevice(previous, a.shared());
            }
            for (int i = first; i < end; i++) {
                int before = d.tasksPerToken;
                d.block(g, name, i, u);
                if (d.tasksPerToken - before != d.launches(i)) {
                    throw new IllegalStateException("block " + i + " declared " + (d.tasksPerToken - before)
                            + " launches, launches() counts " + d.launches(i));
                }
            }
            g.persistOnDevice(a.shared());
            d.graphs.add(g.snapshot());
            d.names.add(name);
            d.firstBlocks.add(first);
            previous = name;
            first = end;
        }
        d.head(previous);
        return d;
    }

    /** Everything of {@code shared} but the step array (which goes up every execution). */
    private static Object[] rest(Object[] shared) {
        Object[] r = new Object[shared.length - 1];
        System.arraycopy(shared, 1, r, 0, r.length);
        return r;
    }

    private void add(TaskGraph g, String graph, String task, int groups, long bytes) {
        add(g, graph, task, groups);
        weightBytes.put(graph + "." + task, bytes);
    }

    /** A launch of {@code groups} work-groups of {@code local} threads (not {@link MatVec#GROUP}) reading {@code bytes}. */
    private void addSized(TaskGraph g, String graph, String task, int groups, int local, long bytes) {
        addSized(g, graph, task, groups, local);
        weightBytes.put(graph + "." + task, bytes);
    }

    private void add(TaskGraph g, String graph, String task, int groups) {
        addSized(g, graph, task, groups, MatVec.GROUP);
    }

    private void addSized(TaskGraph g, String graph, String task, int groups, int local) {
        WorkerGrid1D grid = new WorkerGrid1D(groups * local);
        grid.setLocalWork(local, 1, 1);
        grids.addWorkerGrid(graph + "." + task, grid);
        tasks.add(graph + "." + task);
        tasksPerToken++;
    }

    private void block(TaskGraph g, String graph, int i, Activations.Unused u) {
        DeviceModel.Layer l = m.layers[i];
        String p = "l" + i + "_";
        FloatArray nextGain = i + 1 < m.layers.length ? m.layers[i + 1].attnNorm() : m.outputNorm;
        DeviceLatentCache cache = a.cache[i];
        int d = c.dim();
        int heads = c.headCount();
        int rank = c.kvLoraRank();
        int width = c.kvCacheWidth();
        int vDim = c.vHeadDim();
        float eps = c.rmsEps();
        float latentEps = c.latentNormEps();

        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, cache.arrays());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, l.kvA().words(), l.kvANorm(), l.kB().words(),
                l.vB().words(), l.out().words(), l.ffnNorm(), nextGain);

        // attention: [q | kv_a] (or [q_a | kv_a] then q_b) from RMSNorm(h, attn_norm), on its 8-bit blocks when the
        // int8 option covers more than the routed experts and both matrices are Q8_0
        Int8Choice int8 = int8Of(l);
        DeviceTensor q = c.hasQLora() ? l.qA() : l.q();
        boolean qkvInt8 = int8.qkv();
        if (qkvInt8) {
            roundInput(g, graph, p + "qkvRound", d);
        }
        int qkvLanes = qkvInt8 ? int8Lanes(lanes(q.rows() + width), d) : lanes(q.rows() + width);
        add(g, graph, p + "qkv", MatVec.groups(q.rows() + width, qkvLanes), q.bytes() + l.kvA().bytes());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, q.words());
        if (c.hasQLora()) {
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, l.qANorm(), l.qB().words());
            g.task(p + "qkv", kernels.project2(), ctx, a.h, a.hg, eps, d,
                    q.words(), q.type(), q.rows(), a.cq, a.cqg, l.qANorm(),
                    l.kvA().words(), l.kvA().type(), width, a.kv, qkvLanes,
                    NormMatVec.GATE_A | (qkvInt8 ? NormMatVec.INT8_ROWS : 0), a.int8Quants, a.int8Scales, a.sumSquares);
            int qbLanes = lanes(l.qB().rows());
            add(g, graph, p + "qb", MatVec.groups(l.qB().rows(), qbLanes), l.qB().bytes());
            g.task(p + "qb", kernels.project2(), ctx, a.cq, a.cqg, latentEps, c.qLoraRank(),
                    l.qB().words(), l.qB().type(), l.qB().rows(), a.q, u.out1(), u.in(),
                    u.w1(), l.qB().type(), 0, u.out2(), qbLanes, 0, a.int8Quants, a.int8Scales, a.sumSquares);
        } else {
            g.task(p + "qkv", kernels.project2(), ctx, a.h, a.hg, eps, d,
                    q.words(), q.type(), q.rows(), a.q, u.out1(), u.in(),
                    l.kvA().words(), l.kvA().type(), width, a.kv, qkvLanes, qkvInt8 ? NormMatVec.INT8_ROWS : 0,
                    a.int8Quants, a.int8Scales, a.sumSquares);
        }
        add(g, graph, p + "absorb", LatentAttention.absorbGroups(heads, rank), l.kB().bytes());
        g.task(p + "absorb", LatentAttention::absorb, ctx, a.q, a.rope, a.step, l.kB().words(), l.kB().type(), a.qabs,
                heads, c.qkNopeDim(), c.qkRopeDim(), rank);
        // the same arguments and partial layout for both kernels; only the work-groups a slice differ
        add(g, graph, p + "attend", attention.groupsPerSlice(heads) * a.splits);
        if (attention == AttentionKernel.SHARED) {
            g.task(p + "attend", LatentAttention::attendShared, ctx, a.qabs, a.kv, l.kvANorm(), latentEps, a.rope, a.step,
                    cache.floats(), cache.halves(), cache.format(), c.kqScale(), a.partial, heads, c.qkRopeDim(), rank,
                    a.splits, slicePositions);
        } else {
            g.task(p + "attend", LatentAttention::attend, ctx, a.qabs, a.kv, l.kvANorm(), latentEps, a.rope, a.step,
                    cache.floats(), cache.halves(), cache.format(), c.kqScale(), a.partial, heads, c.qkRopeDim(), rank,
                    a.splits, slicePositions);
        }
        if (LatentAttention.mergeExpandFits(vDim, rank)) {
            add(g, graph, p + "expand", LatentAttention.mergeExpandGroups(heads, vDim), l.vB().bytes());
            g.task(p + "expand", LatentAttention::mergeExpand, ctx, a.partial, a.step, a.splits, slicePositions,
                    l.vB().words(), l.vB().type(), heads, vDim, rank, a.olat, a.o);
        } else {
            add(g, graph, p + "merge", LatentAttention.mergeGroups(heads, rank));
            g.task(p + "merge", LatentAttention::merge, ctx, a.partial, a.step, a.splits, slicePositions, rank, heads, a.olat);
            int expandLanes = lanes(heads * vDim);
            add(g, graph, p + "expand", MatVec.groups(heads * vDim, expandLanes), l.vB().bytes());
            g.task(p + "expand", LatentAttention::expand, ctx, a.olat, l.vB().words(), l.vB().type(), heads, vDim, rank, a.o,
                    expandLanes);
        }
        int outLanes = lanes(d);
        add(g, graph, p + "out", MatVec.groups(d, outLanes), l.out().bytes());
        g.task(p + "out", Residual::projectAdd, ctx, a.o, l.out().words(), l.out().type(), d, heads * vDim,
                a.h, l.ffnNorm(), a.hg, outLanes);

        // feed-forward from RMSNorm(h, ffn_norm): MoE (router, shared experts, routed experts) or dense
        if (l.moe()) {
            int e = c.expertCount();
            int k = c.expertUsedCount();
            int fe = c.expertFfnDim();
            boolean shared = l.gate() != null;
            int fs = shared ? l.gate().rows() : 0;
            FloatArray bias = l.bias() != null ? l.bias() : u.in();
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, l.router().words(), l.gateExps().words(),
                    l.upExps().words(), l.downExps().words());
            if (shared) {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, l.gate().words(), l.up().words(), l.down().words());
            }
            if (l.bias() != null) {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, l.bias());
            }
            // 8-bit FFN inputs: RMSNorm(h) rounded once for ffnIn's shared rows and the routed experts (when their
            // matrices are Q8_0); the experts launch rounds its own SwiGLU rows for the routed down rows
            boolean sharedInt8 = int8.ffnRows();
            boolean routedInt8 = int8.routedIn();
            boolean routedDown = int8.routedDown();
            boolean round = int8.ffnRound();
            if (round) {
                roundInput(g, graph, p + "ffnRound", d);
            }
            int ffnLanes = sharedInt8 ? int8Lanes(lanes(e + fs), d) : lanes(e + fs);
            add(g, graph, p + "ffnIn", e + MatVec.groups(fs, ffnLanes),
                    l.router().bytes() + (shared ? l.gate().bytes() + l.up().bytes() : 0));
            int ffnInt8 = (round ? NormMatVec.INT8_INPUT : 0) | (sharedInt8 ? NormMatVec.INT8_ROWS : 0);
            g.task(p + "ffnIn", kernels.routerAndGateUp(), ctx, a.h, a.hg, eps, d,
                        l.router().words(), l.router().type(), e, a.routerLogits,
                        shared ? l.gate().words() : u.w1(), shared ? l.gate().type() : 0,
                        shared ? l.up().words() : u.w2(), shared ? l.up().type() : 0, fs, a.act2, ffnLanes,
                        ffnInt8, a.int8Quants, a.int8Scales, a.sumSquares);
            int flags = RoutingFlags.of(RoutingRule.of(c));
            // rounding for the 8-bit down rows: 32 rows a work-group (one block), expertsGroup/32 lanes a row
            int expertLanes = routedDown ? expertsGroup / NormMatVec.ROUND_ROWS : this.expertLanes;
            int spec = NormMatVec.expertsSpec(l.gateExps().type(), l.upExps().type(), expertLanes, routedInt8, routedDown);
            int expertsLocal = NormMatVec.expertsGroup(spec);
            int expertsRows = expertsLocal / expertLanes;
            addSized(g, graph, p + "experts", (k * fe + expertsRows - 1) / expertsRows, expertsLocal,
                    (l.gateExps().bytes() + l.upExps().bytes()) / e * k);
            g.task(p + "experts", kernels.expertsGateUp(), ctx, a.h, a.hg, eps, d, a.routerLogits, bias, a.route,
                        l.gateExps().words(), l.upExps().words(), spec, fe, k, a.act,
                        e, flags, c.groupCount() | c.groupUsedCount() << 16, c.routedScale(), a.int8Quants, a.int8Scales);
            int downFlags = (routedDown ? Residual.INT8_ROUTED : 0)
                    | (downTwoRows && d % 2 == 0 ? Residual.TWO_ROWS : 0);
            add(g, graph, p + "down", Residual.downGroups(d, downFlags),
                    l.downExps().bytes() / e * k + (shared ? l.down().bytes() : 0));
            g.task(p + "down", kernels.downAdd(), ctx, a.act, a.route, Routing.idsAt(e),
                        l.downExps().words(), l.downExps().type(), fe, k, a.act2,
                        shared ? l.down().words() : u.w1(), shared ? l.down().type() : 0, fs, d,
                        a.h, nextGain, a.hg, downFlags, a.int8Quants, a.int8Scales);
        } else {
            int f = l.gate().rows();
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, l.gate().words(), l.up().words(), l.down().words());
            boolean denseInt8 = int8.ffnRows();
            int ffnLanes = denseInt8 ? int8Lanes(lanes(f), d) : lanes(f);
            int ffnInt8 = denseInt8 ? NormMatVec.INT8_INPUT | NormMatVec.INT8_ROWS : 0;
            if (denseInt8) {
                roundInput(g, graph, p + "ffnRound", d);
            }
            add(g, graph, p + "ffnIn", MatVec.groups(f, ffnLanes), l.gate().bytes() + l.up().bytes());
            g.task(p + "ffnIn", kernels.routerAndGateUp(), ctx, a.h, a.hg, eps, d,
                        u.w1(), l.gate().type(), 0, a.routerLogits,
                        l.gate().words(), l.gate().type(), l.up().words(), l.up().type(), f, a.act2, ffnLanes,
                        ffnInt8, a.int8Quants, a.int8Scales, a.sumSquares);
            int downFlags = downTwoRows && d % 2 == 0 ? Residual.TWO_ROWS : 0;
            add(g, graph, p + "down", Residual.downGroups(d, downFlags), l.down().bytes());
            g.task(p + "down", kernels.downAdd(), ctx, a.act, a.route, 0,
                        u.w1(), l.down().type(), f, 0, a.act2, l.down().words(), l.down().type(), f, d,
                        a.h, nextGain, a.hg, downFlags, a.int8Quants, a.int8Scales);
        }
    }

    /**
     * A launch rounding the normalised input ({@code hg}, and {@code h}'s sums of squares) to the 8-bit blocks the next
     * launches read ({@link Int8Round#blocks}).
     */
    private void roundInput(TaskGraph g, String graph, String task, int cols) {
        add(g, graph, task, Int8Round.groups(cols));
        g.task(task, Int8Round::blocks, ctx, a.h, a.hg, cols, a.int8Quants, a.int8Scales, a.sumSquares);
    }

    private static boolean q8(int type) {
        return type == WeightType.Q8_0_SPLIT;
    }

    /**
     * Lanes a row for the 8-bit rows of {@code cols} inputs: a lane takes whole blocks of 32, so more lanes than a
     * row has blocks would idle.
     */
    private static int int8Lanes(int lanes, int cols) {
        return Math.max(1, Math.min(lanes, Integer.highestOneBit(cols / 32)));
    }

    /** Logits {@code W_out·RMSNorm(h, output_norm)} and their argmax; the id comes down every token. */
    private void head(String previous) {
        TaskGraph g = new TaskGraph(HEAD);
        Activations.Unused u = Activations.Unused.create();
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, u.all());
        g.consumeFromDevice(previous, a.shared());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, m.output.words(), a.logits, a.argmax);
        int vocab = m.output.rows();
        boolean int8 = int8Ffn.sharedAndDense() && NormMatVec.int8Fits(c.dim()) && q8(m.output.type());
        if (int8) {
            roundInput(g, HEAD, "headRound", c.dim());
        }
        int headLanes = int8 ? int8Lanes(lanes(vocab), c.dim()) : lanes(vocab);
        add(g, HEAD, "logits", MatVec.groups(vocab, headLanes), m.output.bytes());
        g.task("logits", kernels.project2(), ctx, a.h, a.hg, c.rmsEps(), c.dim(),
                m.output.words(), m.output.type(), vocab, a.logits, u.out1(), u.in(),
                u.w1(), m.output.type(), 0, u.out2(), headLanes, int8 ? NormMatVec.INT8_ROWS : 0,
                a.int8Quants, a.int8Scales, a.sumSquares);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, a.argmaxBest, a.argmaxAt);
        add(g, HEAD, "argmaxParts", Sampling.PARTS);
        g.task("argmaxParts", Sampling::argmaxParts, ctx, a.logits, vocab, a.argmaxBest, a.argmaxAt);
        add(g, HEAD, "argmax", 1);
        g.task("argmax", Sampling::argmax, ctx, a.argmaxBest, a.argmaxAt, vocab, a.argmax);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, a.argmax);
        g.transferToHost(DataTransferMode.UNDER_DEMAND, a.logits);
        graphs.add(g.snapshot());
        names.add(HEAD);
    }
}
