package org.dsv3.tornado.tasks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dsv3.model.backend.BackendException;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.tornado.kernels.BatchOps;
import org.dsv3.tornado.kernels.LatentAttention;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * The one TornadoVM execution plan of a loaded model: every decode graph ({@link DecodeGraphs}) on one
 * device, with its buffers ({@link Activations}). A token costs one {@code execute()} per graph; the
 * position and token id are the only input, the argmax id (or, on request, the logits) the output.
 */
final class DecodePlan implements AutoCloseable {
    /** Print each graph's wall time (first token: compile and upload) to stderr. */
    private static final boolean TRACE = Boolean.getBoolean("dsv3.tornado.trace");

    final DeepSeekConfig config;
    final Activations buffers;
    final DecodeGraphs graphs;
    /** The batched prompt graphs, after the decode graphs in the plan; null when prompts run token by token. */
    final PrefillGraphs prefill;
    final TornadoExecutionPlan plan;
    final TornadoDevice device;
    /** Which decode products take 8-bit inputs ({@link PlanOptions#int8Ffn}). */
    final Int8Ffn int8Ffn;
    private final boolean profile;
    /** Profiler sums over the executions since the last {@link #resetTimes()}, in nanoseconds. */
    private long kernelNanos;
    private long executes;
    /** Kernel time of each task over the executions since {@link #startProfiler()}; null while it is off. */
    private Map<String, long[]> profiled;
    /** Seconds spent by the first token: JIT compilation of every kernel and the weight upload. */
    final double warmUpSeconds;

    DecodePlan(DeviceModel model, TornadoDevice device, int maxContext, KvCacheType kvType, PlanOptions options) {
        this.config = model.config;
        this.device = device;
        this.int8Ffn = options.int8Ffn();
        this.profile = options.profile();
        if (options.splits() < 1 || options.splits() > LatentAttention.MAX_SPLITS) {
            throw new IllegalArgumentException("attention splits must be 1…" + LatentAttention.MAX_SPLITS + ", got " + options.splits());
        }
        this.buffers = new Activations(model.config, model.layers.length, maxContext, options.splits(), kvType);
        this.graphs = DecodeGraphs.build(model, buffers, options.layersPerGraph(), options.slicePositions(), options.matvecThreads(),
                options.attention(), options.int8Ffn(), options.dp4a(), options.expertLanes(), options.expertsGroup(),
                options.downTwoRows());
        int batch = Math.min(options.batch(), maxContext);
        this.prefill = batch > 0 ? PrefillGraphs.build(model, buffers, graphs.grids, graphs.names, graphs.firstBlocks, batch,
                options.batchTile(), options.tensorCores()) : null;
        List<ImmutableTaskGraph> all = new ArrayList<>(graphs.graphs);
        if (prefill != null) {
            all.addAll(prefill.graphs);
        }
        TornadoExecutionPlan p = new TornadoExecutionPlan(all.toArray(new ImmutableTaskGraph[0]));
        p.withGridScheduler(graphs.grids).withDevice(device);
        if (profile) {
            p.withProfiler(ProfilerMode.SILENT);
        }
        if (options.cudaGraph()) {
            p.withCUDAGraph();
        }
        this.plan = p;
        long t0 = System.nanoTime();
        try {
            step(0, 0, true);
        } catch (RuntimeException e) {
            close();
            throw new BackendException("TornadoVM could not compile or run the decode kernels on " + device.getDeviceName()
                    + ": " + DeviceSelector.oneLine(rootCause(e)) + " (use --device cpu)", e);
        }
        if (prefill != null) {
            try {
                bindPrefill(0);
            } catch (RuntimeException e) {
                close();
                throw new BackendException("TornadoVM could not compile or run the batched prompt kernels on " + device.getDeviceName()
                        + ": " + DeviceSelector.oneLine(rootCause(e)) + " (-Ddsv3.tornado.batch=0 runs prompts token by token;"
                        + " or use --device cpu)", e);
            }
        }
        this.warmUpSeconds = (System.nanoTime() - t0) / 1e9;
        resetTimes();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c : t;
    }

    /** Runs token {@code token} at {@code position}; with {@code head}, also the logits and the argmax. */
    int step(int token, int position, boolean head) {
        buffers.step.set(0, token);
        buffers.step.set(1, position);
        int last = head ? graphs.head() : graphs.head() - 1;
        TornadoExecutionResult r = null;
        for (int g = 0; g <= last; g++) {
            long t0 = TRACE ? System.nanoTime() : 0;
            r = plan.withGraph(g).execute();
            if (TRACE) {
                System.err.printf("dsv3 tornado: graph %s ran in %.3f s%n", graphs.names.get(g), (System.nanoTime() - t0) / 1e9);
            }
            account(r);
        }
        return head ? buffers.argmax.get(0) : -1;
    }

    /** The logits of the last {@link #step} with {@code head}, brought back from the device. */
    float[] logits(TornadoExecutionResult headResult) {
        headResult.transferToHost(buffers.logits);
        float[] out = new float[buffers.logits.getSize()];
        MemorySegment.copy(buffers.logits.getSegment(), ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    /** Like {@link #step} with the head, returning the logits instead of the argmax. */
    float[] stepLogits(int token, int position) {
        buffers.step.set(0, token);
        buffers.step.set(1, position);
        TornadoExecutionResult r = null;
        for (int g = 0; g <= graphs.head(); g++) {
            r = plan.withGraph(g).execute();
            account(r);
        }
        return logits(r);
    }

    // ---- batched prompt processing (PrefillGraphs) ----------------------------------------------------------

    /** Whether the device's prompt batches of {@link PrefillGraphs} are part of this plan. */
    boolean batched() {
        return prefill != null;
    }

    /** Whether the batched products run on the tensor cores (halves in: see {@code BatchMatMulMma}). */
    boolean tensorCores() {
        return prefill != null && prefill.tensorCores;
    }

    /** Most tokens of one batched pass. */
    int batchTokens() {
        return prefill.maxTokens;
    }

    private boolean prefillBound;

    private TornadoExecutionResult run(int graph) {
        TornadoExecutionResult r = plan.withGraph(graph).execute();
        account(r);
        return r;
    }

    /**
     * Runs {@code count} tokens from {@code tokens[from]} at positions {@code position…} through every block
     * at once, writing their latent cache rows; their final residual rows are then in {@code prefill.h}.
     */
    void prefill(int[] tokens, int from, int count, int position) {
        if (count < 1 || count > prefill.maxTokens) {
            throw new IllegalArgumentException("prefill batch of " + count + " tokens (1…" + prefill.maxTokens + ")");
        }
        int first = graphs.graphs.size();
        if (!prefillBound) {
            bindPrefill(position);
        }
        prefill.info.set(0, count);
        prefill.info.set(1, position);
        for (int i = 0; i < count; i++) {
            prefill.info.set(BatchOps.TOKENS_AT + i, tokens[from + i]);
        }
        for (int g = 0; g < prefill.graphs.size() - 1; g++) {
            long t0 = TRACE ? System.nanoTime() : 0;
            run(first + g);
            if (TRACE) {
                System.err.printf("dsv3 tornado: graph %s ran in %.3f s%n", prefill.names.get(g), (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /**
     * The first run of the prefill graphs (kernels compiled here, at plan creation): TornadoVM 5.2 hands a consumed buffer over
     * only from the graph executed just before, so each prefill graph first runs right after the decode graph
     * whose weights and caches it takes over (that decode graph runs once more for it, at {@code position},
     * whose cache row the prefill then rewrites), with an empty batch.
     */
    private void bindPrefill(int position) {
        buffers.step.set(0, 0);
        buffers.step.set(1, position);
        prefill.info.set(0, 0);
        prefill.info.set(1, position);
        int first = graphs.graphs.size();
        for (int g = 0; g < prefill.graphs.size(); g++) {
            int owner = prefill.decodeOf.get(g);
            if (owner >= 0) {
                run(owner);
            }
            run(first + g);
        }
        prefillBound = true;
    }

    /** Hands row {@code t} of the last {@link #prefill} to the decode buffers and runs the output head. */
    private TornadoExecutionResult headOfRow(int t) {
        int d = config.dim();
        MemorySegment.copy(prefill.h.getSegment(), (long) t * d * Float.BYTES, prefill.row.getSegment(), 0, (long) d * Float.BYTES);
        for (int i = 0; i < d; i++) {
            prefill.rowGained.set(i, prefill.outputNorm.get(i) * prefill.row.get(i));
        }
        run(graphs.graphs.size() + prefill.graphs.size() - 1);
        return run(graphs.head());
    }

    /** The logits of row {@code t} of the last {@link #prefill}. */
    float[] prefillLogits(int t) {
        return logits(headOfRow(t));
    }

    /** The argmax id of row {@code t} of the last {@link #prefill}. */
    int prefillArgmax(int t) {
        headOfRow(t);
        return buffers.argmax.get(0);
    }

    private void account(TornadoExecutionResult r) {
        executes++;
        if (profile) {
            kernelNanos += r.getProfilerResult().getDeviceKernelTime();
        }
        if (profiled != null) {
            // the log holds every profiled execution of the graph: only the latest one is this execute's
            ProfilerLog.latest(r.getProfilerResult().getProfileLog()).forEach((task, ns) -> {
                long[] v = profiled.computeIfAbsent(task, x -> new long[2]);
                v[0] += ns;
                v[1]++;
            });
        }
    }

    /**
     * Turns TornadoVM's profiler on (a plan made with {@code profile} has it on already): from now on every execute
     * records each task's kernel time, until {@link #stopProfiler()}.
     */
    void startProfiler() {
        if (!profile) {
            plan.withProfiler(ProfilerMode.SILENT);
        }
        profiled = new HashMap<>();
    }

    /**
     * Turns the profiler off again (not on a plan made with {@code profile}); the kernel times since
     * {@link #startProfiler()}: task ({@code graph.task}) → {sum of ns, executions in which the profiler timed it}.
     */
    Map<String, long[]> stopProfiler() {
        if (profiled == null) {
            throw new IllegalStateException("the profiler was not started");
        }
        if (!profile) {
            plan.withoutProfiler();
        }
        Map<String, long[]> times = profiled;
        profiled = null;
        return times;
    }

    void resetTimes() {
        kernelNanos = 0;
        executes = 0;
    }

    /** Device kernel time summed by the profiler since {@link #resetTimes()} (0 without profiling). */
    long kernelNanos() {
        return kernelNanos;
    }

    long executes() {
        return executes;
    }

    int maxContext() {
        return buffers.maxContext;
    }

    /** The element type of the plan's latent caches. */
    KvCacheType kvType() {
        return buffers.kvType;
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (Exception e) {
            // freeing device memory failed: nothing more to do at close
        }
    }
}
