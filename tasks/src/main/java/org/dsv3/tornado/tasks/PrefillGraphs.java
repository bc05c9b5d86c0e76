package org.dsv3.tornado.tasks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dsv3.model.arch.RoutingRule;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.tornado.kernels.BatchAttention;
import org.dsv3.tornado.kernels.BatchMatMul;
import org.dsv3.tornado.kernels.BatchMatMulMma;
import org.dsv3.tornado.kernels.BatchOps;
import org.dsv3.tornado.kernels.BatchRouting;
import org.dsv3.tornado.kernels.BatchTile;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The task graphs of batched prompt processing: a chunk of up to {@link #maxTokens} tokens goes through
 * every block at once, with matrix–matrix products ({@link BatchMatMul}), experts grouped by token
 * ({@link BatchRouting}) and causal latent attention ({@link BatchAttention}):
 * <pre>
 *   info, H, XN ─► [prefill0: embed, blocks a…b] ─► H, XN ─► [prefill1: blocks …] ─► … ─► H (host)
 *   block: XN ─► q (q_a, norm, q_b) ─► kv ─► cache rows, rotated q_pe ─► q_abs per head ─► attention
 *          ─► W_UV per head ─► h += W_o·o ─► XN ─► router ─► route ─► group ─► experts gate/up/down
 *          ─► h += Σ weight·down  (+ shared experts)  ─► XN (next block's attn_norm, or output_norm)
 * </pre>
 * The graphs share the decode plan ({@link DecodeGraphs}): they are graphs of the same execution plan, and
 * every weight, gain and latent cache they read is the decode graph's own device buffer, taken over with
 * {@code consumeFromDevice} — nothing is uploaded twice. Each prefill graph holds blocks of one decode graph
 * only, since TornadoVM 5.2 hands a consumed buffer over only from the graph executed just before (see
 * {@link DecodePlan}'s binding run). For the same reason the batch's residual stream H and normalised rows
 * XN travel between prefill graphs through the host (a few MB a chunk); each graph keeps its own scratch.
 * Every prefill graph (and {@link #TO_DECODE}) also consumes the decode buffers ({@link Activations#shared})
 * from every other graph of the plan, so that whichever graph ran before it, TornadoVM finds them.
 */
final class PrefillGraphs {
    static final String PREFIX = "prefill";
    /** The graph that hands one token's residual row to the decode buffers, for the output head. */
    static final String TO_DECODE = "prefillOut";
    /** Task budget of a prefill graph (TornadoVM 5.2's fixed task buffer; see {@link DecodePlan}). */
    private static final int TASKS_PER_GRAPH = 56;

    final List<ImmutableTaskGraph> graphs = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    /** Decode graph whose buffers prefill graph i takes over (the last entry: {@link #TO_DECODE}, none). */
    final List<Integer> decodeOf = new ArrayList<>();
    final int maxTokens;
    /** Work-group tile of every {@link BatchMatMul} launch. */
    final BatchTile tile;
    /** Whether the products run on the tensor cores ({@link BatchMatMulMma}, PTX only) instead. */
    final boolean tensorCores;
    /** {@code [n, first position, token ids…]}, up with every prefill graph. */
    final IntArray info;
    /** The batch's residual rows and normalised rows, token-major, up and down with every prefill graph. */
    final FloatArray h;
    final FloatArray xn;
    /**
     * XN as packed halves too, written by the norms beside XN and read by the tensor-core products of XN
     * ({@link BatchMatMul#X_HALVES}), which then copy words instead of converting every value once per row
     * tile; travels with XN. Null unless the products run on the tensor cores (and the dimension is even).
     */
    final IntArray xnHalves;
    /** One token's final residual row and its {@code output_norm}-gained copy, for {@link #TO_DECODE}. */
    final FloatArray row;
    final FloatArray rowGained;
    /** The model's {@code output_norm} gain (host values) that {@link #rowGained} is made with. */
    final FloatArray outputNorm;
    /** Multiply–adds ×2 a token of every matrix product, by {@code graph.task} (for the benchmark's GFLOP/s). */
    final Map<String, Long> flopsPerToken = new HashMap<>();

    private final DeviceModel m;
    private final DeepSeekConfig c;
    private final Activations a;
    private final GridScheduler grids;
    private final KernelContext ctx = new KernelContext();

    private PrefillGraphs(DeviceModel m, Activations a, GridScheduler grids, int maxTokens, BatchTile tile,
                          boolean tensorCores) {
        if (tensorCores && !BatchMatMulMma.fits(tile)) {
            throw new IllegalArgumentException("batch tile " + tile + ": the tensor-core products need 64x64 or 128x64");
        }
        this.tensorCores = tensorCores;
        this.m = m;
        this.c = m.config;
        this.a = a;
        this.grids = grids;
        this.maxTokens = maxTokens;
        this.tile = tile;
        int d = c.dim();
        info = DeviceWeights.intZeros(BatchOps.TOKENS_AT + maxTokens);
        h = DeviceWeights.zeros(maxTokens * d);
        xn = DeviceWeights.zeros(maxTokens * d);
        xnHalves = tensorCores && d % 2 == 0 ? DeviceWeights.intZeros(maxTokens * d / 2) : null;
        row = DeviceWeights.zeros(d);
        rowGained = DeviceWeights.zeros(d);
        outputNorm = m.outputNorm;
    }

    /** Tasks of one block's prefill. */
    static int tasksPerBlock(DeepSeekConfig c, boolean moe) {
        return 8 + (c.hasQLora() ? 2 : 0) + (moe ? 7 + 3 : 3) + 1;
    }

    /**
     * @param decodeNames      the decode plan's graph names, head last
     * @param decodeFirst      the first block of each decode block graph (decode graph k holds blocks
     *                         {@code decodeFirst[k] … decodeFirst[k+1]−1})
     * @param tile             work-group tile of the matrix products
     * @param tensorCores      the products on the tensor cores ({@link BatchMatMulMma}; PTX devices only)
     */
    static PrefillGraphs build(DeviceModel m, Activations a, GridScheduler grids, List<String> decodeNames,
                               List<Integer> decodeFirst, int maxTokens, BatchTile tile, boolean tensorCores) {
        PrefillGraphs p = new PrefillGraphs(m, a, grids, maxTokens, tile, tensorCores);
        int blocks = m.layers.length;
        int perGraph = Math.max(1, TASKS_PER_GRAPH / tasksPerBlock(m.config, m.config.expertCount() > 0));
        List<int[]> ranges = new ArrayList<>();
        for (int k = 0; k < decodeFirst.size(); k++) {
            int first = decodeFirst.get(k);
            int end = k + 1 < decodeFirst.size() ? decodeFirst.get(k + 1) : blocks;
            for (int b = first; b < end; b += perGraph) {
                ranges.add(new int[] {k, b, Math.min(end, b + perGraph)});
                p.names.add(PREFIX + (p.names.size()));
            }
        }
        p.names.add(TO_DECODE);
        List<String> all = new ArrayList<>(decodeNames);
        all.addAll(p.names);
        for (int[] r : ranges) {
            p.decodeOf.add(r[0]);
            p.graphs.add(p.blocks(p.names.get(p.graphs.size()), decodeNames.get(r[0]), all, r[1], r[2]));
        }
        p.decodeOf.add(-1);
        p.graphs.add(p.toDecode(all));
        return p;
    }

    /**
     * Per-graph scratch of a batch (each prefill graph has its own: see the class comment), sized for the
     * graph's blocks. Buffers whose lives do not overlap within a block share one array, so a graph holds
     * three large arrays instead of six (V2-Lite, 512 tokens: ~55 MB instead of ~112 MB a MoE graph):
     * {@code wide} = the absorbed queries (attention) and then the routed experts' down rows (FFN), {@code
     * mid} = the attention latents and then the routed gate/up activations, {@code narrow} = the queries
     * (read last by {@code qabs}) and then the shared or dense FFN's activations. No task gets one array twice.
     */
    private final class Scratch {
        final int rows = maxTokens;
        final int heads = c.headCount();
        final int width = c.kvCacheWidth();
        final int k = Math.max(1, c.expertUsedCount());
        final int e = Math.max(1, c.expertCount());
        final FloatArray cq = DeviceWeights.zeros(rows * Math.max(1, c.qLoraRank()));
        final FloatArray cqn = DeviceWeights.zeros(rows * Math.max(1, c.qLoraRank()));
        final FloatArray kv = DeviceWeights.zeros(rows * width);
        final FloatArray o = DeviceWeights.zeros(rows * heads * c.vHeadDim());
        final FloatArray rl = DeviceWeights.zeros(rows * e);
        final FloatArray scores = DeviceWeights.zeros(rows * (2 * e + Math.max(1, c.groupCount())));
        final FloatArray route = DeviceWeights.zeros(rows * 2 * k);
        final IntArray table = DeviceWeights.intZeros(BatchRouting.tableSize(rows, k, e, tile));
        final IntArray noTable = DeviceWeights.intZeros(2);
        /** Stands for X's halves where a product or a norm has none (never the same array as noTable). */
        final IntArray noHalves = DeviceWeights.intZeros(1);
        /** Stands for Y's halves where a product writes none (never the same array as noHalves). */
        final IntArray noYHalves = DeviceWeights.intZeros(1);
        /**
         * With the tensor cores, the products whose X is not XN read it as halves written by the product before
         * them ({@link BatchMatMul#Y_HALVES}): the attention output O (W_UV → output projection), the routed
         * experts' activations (up → down), the shared experts' (up → down). Null without tensor cores or for
         * odd widths.
         */
        final IntArray oHalves;
        private final IntArray routedHalves;
        private final IntArray sharedHalves;
        final FloatArray noBias = DeviceWeights.zeros(1);
        /** The tensor-core products' accumulators on their way to the epilogue (one float when unused). */
        final FloatArray staged;
        final FloatArray wide;
        final FloatArray mid;
        final FloatArray narrow;
        /** Views by role (the same arrays as above). */
        final FloatArray q;
        final FloatArray qa;
        final FloatArray ol;
        final FloatArray g;
        final FloatArray xg;
        final FloatArray xd;

        /** Scratch for blocks {@code first … end−1}. */
        Scratch(int first, int end) {
            boolean moe = false;
            int ffn = 1;
            for (int i = first; i < end; i++) {
                DeviceModel.Layer l = m.layers[i];
                moe |= l.moe();
                if (l.gate() != null) {
                    ffn = Math.max(ffn, l.gate().rows());
                }
            }
            long routedDown = moe ? (long) rows * k * c.dim() : 1;
            long routedAct = moe ? (long) rows * k * Math.max(1, c.expertFfnDim()) : 1;
            wide = DeviceWeights.zeros(size(Math.max((long) rows * heads * width, routedDown)));
            mid = DeviceWeights.zeros(size(Math.max((long) rows * heads * c.kvLoraRank(), routedAct)));
            narrow = DeviceWeights.zeros(size(Math.max((long) rows * heads * c.qkHeadDim(), (long) rows * ffn)));
            staged = DeviceWeights.zeros(tensorCores ? size(stagedFloats(first, end)) : 1);
            oHalves = halves((long) rows * heads * c.vHeadDim(), c.vHeadDim());
            routedHalves = moe ? halves(routedAct, c.expertFfnDim()) : null;
            sharedHalves = halves((long) rows * ffn, ffn);
            q = narrow;
            g = narrow;
            qa = wide;
            xd = wide;
            ol = mid;
            xg = mid;
        }

        /** Halves of {@code floats} activations of rows {@code width} wide, or null (no tensor cores, odd width). */
        private IntArray halves(long floats, int width) {
            return tensorCores && width % 2 == 0 ? DeviceWeights.intZeros(size((floats + 1) / 2)) : null;
        }

        /** The routed experts' activations as halves, for experts {@code width} wide (null: none). */
        IntArray routedHalves(int width) {
            return width % 2 == 0 ? routedHalves : null;
        }

        /** The shared experts' (or dense FFN's) activations as halves, {@code width} wide (null: none). */
        IntArray sharedHalves(int width) {
            return width % 2 == 0 ? sharedHalves : null;
        }

        private static int size(long floats) {
            if (floats > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("prefill scratch of " + floats + " floats: lower dsv3.tornado.batch");
            }
            return (int) floats;
        }

        /** The largest {@link BatchMatMulMma#stagedFloats} of the products of blocks {@code first … end−1}. */
        private long stagedFloats(int first, int end) {
            long groups = 1;
            for (int i = first; i < end; i++) {
                DeviceModel.Layer l = m.layers[i];
                for (DeviceTensor t : new DeviceTensor[] {l.qA(), l.qB(), l.q(), l.kvA(), l.out(), l.gate(),
                        l.up(), l.down()}) {
                    if (t != null) {
                        groups = Math.max(groups, denseGroups(t.rows(), 1));
                    }
                }
                groups = Math.max(groups, denseGroups(c.kvLoraRank(), heads));
                groups = Math.max(groups, denseGroups(c.vHeadDim(), heads));
                for (DeviceTensor t : new DeviceTensor[] {l.gateExps(), l.downExps()}) {
                    if (t != null) {
                        groups = Math.max(groups, expertGroups(expertRows(t), this));
                    }
                }
            }
            return BatchMatMulMma.stagedFloats(groups, tile);
        }

        Object[] all() {
            List<Object> all = new ArrayList<>(List.of(wide, mid, narrow, cq, cqn, kv, o, rl, scores, route, table, noTable,
                    noHalves, noYHalves, noBias, staged));
            for (IntArray h : new IntArray[] {oHalves, routedHalves, sharedHalves}) {
                if (h != null) {
                    all.add(h);
                }
            }
            return all.toArray();
        }
    }

    /** The decode buffers, consumed from every other graph of the plan (see the class comment). */
    private void consumeShared(TaskGraph g, String self, List<String> all, String owner) {
        for (String other : all) {
            if (!other.equals(self) && !other.equals(owner)) {
                g.consumeFromDevice(other, a.shared());
            }
        }
    }

    private ImmutableTaskGraph blocks(String name, String decodeName, List<String> all, int first, int end) {
        TaskGraph g = new TaskGraph(name);
        Scratch s = new Scratch(first, end);
        int d = c.dim();
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, s.all());
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, travelling());
        // the decode graph's buffers: its blocks' weights and caches, the decode activations
        List<Object> owned = new ArrayList<>(List.of(a.shared()));
        if (first == 0) {
            owned.add(m.embedding.words());
            owned.add(m.layers[0].attnNorm());
        }
        for (int i = first; i < end; i++) {
            owned.addAll(weights(i));
        }
        g.consumeFromDevice(decodeName, owned.toArray());
        consumeShared(g, name, all, decodeName);
        if (first == 0) {
            grid(name + ".embed", (maxTokens * d + BatchOps.GROUP - 1) / BatchOps.GROUP, BatchOps.GROUP);
            g.task("embed", BatchOps::embed, ctx, info, m.embedding.words(), m.embedding.type(), d, h);
            norm(g, name, "norm0", s, h, d, d, m.layers[0].attnNorm(), c.rmsEps(), xn);
        }
        for (int i = first; i < end; i++) {
            block(g, name, i, s);
        }
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, xnHalves != null ? new Object[] {h, xn, xnHalves}
                : new Object[] {h, xn});
        return g.snapshot();
    }

    /** Everything of block i that its decode graph uploaded and the prefill reads. */
    private List<Object> weights(int i) {
        DeviceModel.Layer l = m.layers[i];
        List<Object> w = new ArrayList<>();
        w.addAll(List.of(a.cache[i].arrays()));
        for (DeviceTensor t : new DeviceTensor[] {l.qA(), l.qB(), l.q(), l.kvA(), l.kB(), l.vB(), l.out(), l.router(),
                l.gateExps(), l.upExps(), l.downExps(), l.gate(), l.up(), l.down()}) {
            if (t != null) {
                w.add(t.words());
            }
        }
        for (FloatArray v : new FloatArray[] {l.qANorm(), l.kvANorm(), l.ffnNorm(), l.bias(), nextGain(i)}) {
            if (v != null) {
                w.add(v);
            }
        }
        return w;
    }

    private FloatArray nextGain(int i) {
        return i + 1 < m.layers.length ? m.layers[i + 1].attnNorm() : m.outputNorm;
    }

    private void block(TaskGraph g, String graph, int i, Scratch s) {
        DeviceModel.Layer l = m.layers[i];
        String p = "l" + i + "_";
        int d = c.dim();
        int heads = c.headCount();
        int qk = c.qkHeadDim();
        int rank = c.kvLoraRank();
        int width = c.kvCacheWidth();
        int vDim = c.vHeadDim();
        int ropeDim = c.qkRopeDim();

        // attention, from XN = RMSNorm(h, attn_norm)
        if (c.hasQLora()) {
            int qr = c.qLoraRank();
            multiply(g, graph, p + "qa", s, l.qA(), 1, 0, xn, d, 0, s.cq, qr, 0, BatchMatMul.STORE, ofXn());
            norm(g, graph, p + "qan", s, s.cq, qr, qr, l.qANorm(), c.latentNormEps(), s.cqn);
            multiply(g, graph, p + "q", s, l.qB(), 1, 0, s.cqn, qr, 0, s.q, heads * qk, 0, BatchMatMul.STORE, Halves.NONE);
        } else {
            multiply(g, graph, p + "q", s, l.q(), 1, 0, xn, d, 0, s.q, heads * qk, 0, BatchMatMul.STORE, ofXn());
        }
        multiply(g, graph, p + "kv", s, l.kvA(), 1, 0, xn, d, 0, s.kv, width, 0, BatchMatMul.STORE, ofXn());
        grid(graph + "." + p + "prep", maxTokens, BatchAttention.GROUP);
        g.task(p + "prep", BatchAttention::prepare, ctx, info, s.q, s.kv, l.kvANorm(), c.latentNormEps(), a.rope,
                a.cache[i].floats(), a.cache[i].halves(), a.cache[i].format(), s.qa, heads, c.qkNopeDim(), ropeDim, rank);
        // q_abs[t][h] = W_UK,hᵀ·q_nope[t][h]: rows h·rank … of attn_k_b, one batch per head
        multiply(g, graph, p + "qabs", s, l.kB(), heads, rank, s.q, heads * qk, qk, s.qa, heads * width, width,
                BatchMatMul.STORE, Halves.NONE);
        grid(graph + "." + p + "att", BatchAttention.attendGroups(maxTokens, heads), BatchAttention.GROUP);
        g.task(p + "att", BatchAttention::attend, ctx, info, s.qa, a.cache[i].floats(),
                a.cache[i].halves(), a.cache[i].format(), c.kqScale(), s.ol, heads, rank, ropeDim);
        // o[t][h] = W_UV,h·o_lat[t][h]
        multiply(g, graph, p + "exp", s, l.vB(), heads, vDim, s.ol, heads * rank, rank, s.o, heads * vDim, vDim,
                BatchMatMul.STORE, new Halves(null, s.oHalves));
        multiply(g, graph, p + "out", s, l.out(), 1, 0, s.o, heads * vDim, 0, h, d, 0, BatchMatMul.ADD,
                new Halves(s.oHalves, null));
        norm(g, graph, p + "fn", s, h, d, d, l.ffnNorm(), c.rmsEps(), xn);

        // feed-forward from XN = RMSNorm(h, ffn_norm)
        if (l.moe()) {
            int e = c.expertCount();
            int k = c.expertUsedCount();
            int fe = c.expertFfnDim();
            DeviceTensor router = l.router();
            flopsPerToken.put(graph + "." + p + "router", 2L * router.rows() * router.cols());
            grid(graph + "." + p + "router", maxTokens, BatchRouting.GROUP);
            g.task(p + "router", BatchRouting::logits, ctx, info, router.words(), router.type(), e, d, xn, s.rl);
            grid(graph + "." + p + "route", (maxTokens + BatchRouting.GROUP - 1) / BatchRouting.GROUP, BatchRouting.GROUP);
            g.task(p + "route", BatchRouting::route, ctx, info, s.rl, l.bias() != null ? l.bias() : s.noBias, s.scores,
                    s.route, e, k, RoutingFlags.of(RoutingRule.of(c)), c.groupCount() | c.groupUsedCount() << 16,
                    c.routedScale());
            grid(graph + "." + p + "group", 1, BatchRouting.GROUP);
            int permAt = BatchRouting.permAt(maxTokens, k, e, tile);
            int slotAt = BatchRouting.slotAt(maxTokens, k, e, tile);
            g.task(p + "group", BatchRouting::group, ctx, info, s.route, k, e, s.table, permAt, slotAt, tile.tokens());
            experts(g, graph, p + "eg", s, l.gateExps(), xn, d, k, s.xg, fe, BatchMatMul.STORE, ofXn());
            experts(g, graph, p + "eu", s, l.upExps(), xn, d, k, s.xg, fe, BatchMatMul.SWIGLU,
                    new Halves(ofXn().in(), s.routedHalves(fe)));
            experts(g, graph, p + "ed", s, l.downExps(), s.xg, fe, 0, s.xd, d, BatchMatMul.STORE,
                    new Halves(s.routedHalves(fe), null));
            grid(graph + "." + p + "comb", (maxTokens * d + BatchRouting.GROUP - 1) / BatchRouting.GROUP, BatchRouting.GROUP);
            g.task(p + "comb", BatchRouting::combine, ctx, info, s.route, s.table, slotAt, k, s.xd, d, h);
        }
        if (l.gate() != null) {
            int f = l.gate().rows();
            multiply(g, graph, p + "sg", s, l.gate(), 1, 0, xn, d, 0, s.g, f, 0, BatchMatMul.STORE, ofXn());
            multiply(g, graph, p + "su", s, l.up(), 1, 0, xn, d, 0, s.g, f, 0, BatchMatMul.SWIGLU,
                    new Halves(ofXn().in(), s.sharedHalves(f)));
            multiply(g, graph, p + "sd", s, l.down(), 1, 0, s.g, f, 0, h, d, 0, BatchMatMul.ADD,
                    new Halves(s.sharedHalves(f), null));
        }
        norm(g, graph, p + "nn", s, h, d, d, nextGain(i), c.rmsEps(), xn);
    }

    /** A plain or per-head product: {@code batches} of {@code rows} rows (W rows from {@code b·rows}). */
    private void multiply(TaskGraph g, String graph, String task, Scratch s, DeviceTensor w, int batches, int batchRows,
                          FloatArray x, int xStride, int xBatchOff, FloatArray y, int yStride, int yBatchOff, int mode,
                          Halves halves) {
        int rows = batches > 1 ? batchRows : w.rows();
        flopsPerToken.put(graph + "." + task, 2L * batches * rows * w.cols());
        int tokenTiles = tile.tokenTiles(maxTokens);
        grid(graph + "." + task, denseGroups(rows, batches), tile.threads());
        int spec = BatchMatMul.spec(mode, false, 0, tile);
        if (tensorCores) {
            g.task(task, BatchMatMulMma::multiply, ctx, info, s.noTable, w.words(), w.type(), rows, w.cols(), batchRows,
                    x, halves.inOr(s.noHalves), xStride, xBatchOff, y, halves.outOr(s.noYHalves), yStride, yBatchOff,
                    tokenTiles, spec | halves.bits(), s.staged);
        } else {
            g.task(task, BatchMatMul::multiply, ctx, info, s.noTable, w.words(), w.type(), rows, w.cols(), batchRows,
                    x, xStride, xBatchOff, y, yStride, yBatchOff, tokenTiles, spec);
        }
    }

    /** Work-groups of a plain or per-head product of {@code batches} × {@code rows} rows. */
    private int denseGroups(int rows, int batches) {
        return tile.rowTiles(rows) * batches * tile.tokenTiles(maxTokens);
    }

    /** Work-groups of a routed experts' product of {@code rows} rows per expert. */
    private int expertGroups(int rows, Scratch s) {
        return tile.rowTiles(rows) * tile.maxExpertTiles(maxTokens * s.k, s.e);
    }

    /** Rows per expert of a stacked experts tensor. */
    private int expertRows(DeviceTensor t) {
        return t.rows() / Math.max(1, c.expertCount());
    }

    /** A routed experts' product over the grouped slots: {@code rows} rows per expert of the stacked tensor. */
    private void experts(TaskGraph g, String graph, String task, Scratch s, DeviceTensor w, FloatArray x, int xStride,
                         int gatherK, FloatArray y, int rows, int mode, Halves halves) {
        grid(graph + "." + task, expertGroups(rows, s), tile.threads());
        flopsPerToken.put(graph + "." + task, 2L * s.k * rows * w.cols());
        int spec = BatchMatMul.spec(mode, true, gatherK, tile);
        if (tensorCores) {
            g.task(task, BatchMatMulMma::multiply, ctx, info, s.table, w.words(), w.type(), rows, w.cols(), rows,
                    x, halves.inOr(s.noHalves), xStride, 0, y, halves.outOr(s.noYHalves), rows, 0, 1, spec | halves.bits(),
                    s.staged);
        } else {
            g.task(task, BatchMatMul::multiply, ctx, info, s.table, w.words(), w.type(), rows, w.cols(), rows,
                    x, xStride, 0, y, rows, 0, 1, spec);
        }
    }

    /** RMS normalisation of every token's row of x into y (and into {@link #xnHalves} when y is XN and it exists). */
    private void norm(TaskGraph g, String graph, String task, Scratch s, FloatArray x, int stride, int cols, FloatArray gain,
                      float eps, FloatArray y) {
        grid(graph + "." + task, maxTokens, BatchOps.GROUP);
        IntArray yHalves = y == xn ? xnHalves : null;
        g.task(task, BatchOps::rmsNorm, ctx, info, x, stride, cols, gain, eps, y, yHalves != null ? yHalves : s.noHalves,
                yHalves != null ? 1 : 0);
    }

    /**
     * Packed halves around a tensor-core product ({@link BatchMatMul#X_HALVES}, {@link BatchMatMul#Y_HALVES}):
     * {@code in}, X as halves written by its producer (null: the product converts X itself); {@code out}, where
     * the epilogue also writes Y as halves for the next product (null: not). The FP32 products ignore both.
     */
    private record Halves(IntArray in, IntArray out) {
        static final Halves NONE = new Halves(null, null);

        IntArray inOr(IntArray none) {
            return in != null ? in : none;
        }

        IntArray outOr(IntArray none) {
            return out != null ? out : none;
        }

        int bits() {
            return (in != null ? BatchMatMul.X_HALVES : 0) | (out != null ? BatchMatMul.Y_HALVES : 0);
        }
    }

    /** X = XN: its halves ({@link #xnHalves}) when the norms write them. */
    private Halves ofXn() {
        return new Halves(xnHalves, null);
    }

    /** The batch's arrays that go up with every prefill graph (and down again, all but info). */
    private Object[] travelling() {
        return xnHalves != null ? new Object[] {info, h, xn, xnHalves} : new Object[] {info, h, xn};
    }

    private ImmutableTaskGraph toDecode(List<String> all) {
        TaskGraph g = new TaskGraph(TO_DECODE);
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, row, rowGained);
        consumeShared(g, TO_DECODE, all, null);
        int d = c.dim();
        grid(TO_DECODE + ".row", (d + BatchOps.GROUP - 1) / BatchOps.GROUP, BatchOps.GROUP);
        g.task("row", BatchOps::toDecode, ctx, row, rowGained, d, a.h, a.hg);
        return g.snapshot();
    }

    private void grid(String task, int groups, int local) {
        WorkerGrid1D grid = new WorkerGrid1D(groups * local);
        grid.setLocalWork(local, 1, 1);
        grids.addWorkerGrid(task, grid);
    }
}
