package org.dsv3.tornado.tasks;

import org.dsv3.tornado.kernels.BatchTile;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/**
 * How the decode plan is laid out and observed.
 *
 * @param layersPerGraph blocks per task graph, i.e. per {@code execute()}; 0 = as many as fit 63 tasks
 * @param splits         most position slices per head in the attention launch (split-K over the context)
 * @param slicePositions fewest positions a slice holds: a context of n positions uses
 *                       {@code min(splits, ⌈n / slicePositions⌉)} slices (few at short context, all at long)
 * @param profile        run with TornadoVM's profiler (kernel times per task; costs host time)
 * @param cudaGraph      replay each graph as a CUDA graph (PTX backend only): far cheaper launches
 * @param batch          most prompt tokens per batched prefill pass ({@link PrefillGraphs}); 0 = prompts run
 *                       token by token through the decode graphs
 * @param matvecThreads  threads a decode matvec launch should have at least: a matrix of few rows gets more
 *                       lanes per row ({@link org.dsv3.tornado.kernels.MatVec#lanesFor}); 0 = 32 lanes a row always
 * @param batchTile      the work-group tile of the batched matrix products ({@code BatchMatMul})
 * @param attention      the decode attention kernel ({@link AttentionKernel}: heads sharing each cache row, or one
 *                       work-group per head)
 */
record PlanOptions(int layersPerGraph, int splits, int slicePositions, boolean profile, boolean cudaGraph, int batch,
                   int matvecThreads, BatchTile batchTile, AttentionKernel attention) {
    /** Default most slices of the per-head kernel ({@link AttentionKernel#defaultSplits} per kernel). */
    static final int DEFAULT_SPLITS = 32;
    static final int DEFAULT_SLICE_POSITIONS = 16;
    static final int DEFAULT_BATCH = 512;
    /** About one H200's worth of resident threads (132 SMs × 2048), so that a small matrix still fills the device. */
    static final int DEFAULT_MATVEC_THREADS = 1 << 18;

    /** The layout options with the default matvec width and attention kernel. */
    PlanOptions(int layersPerGraph, int splits, int slicePositions, boolean profile, boolean cudaGraph, int batch,
                BatchTile batchTile) {
        this(layersPerGraph, splits, slicePositions, profile, cudaGraph, batch, DEFAULT_MATVEC_THREADS, batchTile,
                AttentionKernel.parse(null));
    }

    /** The options with the default attention kernel. */
    PlanOptions(int layersPerGraph, int splits, int slicePositions, boolean profile, boolean cudaGraph, int batch,
                int matvecThreads, BatchTile batchTile) {
        this(layersPerGraph, splits, slicePositions, profile, cudaGraph, batch, matvecThreads, batchTile,
                AttentionKernel.parse(null));
    }

    PlanOptions {
        if (batchTile == null) {
            throw new IllegalArgumentException("batch tile missing");
        }
        if (attention == null) {
            throw new IllegalArgumentException("attention kernel missing");
        }
        if (slicePositions < 1) {
            throw new IllegalArgumentException("attention slice positions must be >= 1, got " + slicePositions);
        }
        if (batch < 0) {
            throw new IllegalArgumentException("prefill batch must be >= 0 (0: token by token), got " + batch);
        }
    }

    /**
     * From system properties {@code dsv3.tornado.layersPerGraph}, {@code .splits}, {@code .slicePositions},
     * {@code .profile}, {@code .cudaGraph}, {@code .batch}, {@code .matvecThreads}, {@code .batchTile} ({@code ROWSxTOKENS})
     * and {@code .attention} ({@code shared|perhead}); CUDA graphs are on by default on a PTX device (measured on the
     * H200: they cut the launch cost several times) and off elsewhere (only PTX has them). The default of
     * {@code .splits} is the attention kernel's ({@link AttentionKernel#defaultSplits}).
     */
    static PlanOptions fromSystemProperties(TornadoDevice device) {
        String graphs = System.getProperty("dsv3.tornado.cudaGraph");
        boolean ptx = device != null && device.getTornadoVMBackend() == TornadoVMBackendType.PTX;
        AttentionKernel attention = AttentionKernel.parse(System.getProperty(AttentionKernel.PROPERTY));
        return new PlanOptions(Integer.getInteger("dsv3.tornado.layersPerGraph", 0),
                Integer.getInteger("dsv3.tornado.splits", attention.defaultSplits),
                Integer.getInteger("dsv3.tornado.slicePositions", DEFAULT_SLICE_POSITIONS),
                Boolean.getBoolean("dsv3.tornado.profile"), graphs != null ? Boolean.parseBoolean(graphs) : ptx,
                Integer.getInteger("dsv3.tornado.batch", DEFAULT_BATCH),
                Integer.getInteger("dsv3.tornado.matvecThreads", DEFAULT_MATVEC_THREADS),
                BatchTile.parse(System.getProperty("dsv3.tornado.batchTile")), attention);
    }

    PlanOptions withProfile(boolean on) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, on, cudaGraph, batch, matvecThreads, batchTile, attention);
    }

    PlanOptions withCudaGraph(boolean on) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, profile, on, batch, matvecThreads, batchTile, attention);
    }

    PlanOptions withAttention(AttentionKernel kernel) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, profile, cudaGraph, batch, matvecThreads, batchTile, kernel);
    }

    PlanOptions withBatch(int tokens) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, profile, cudaGraph, tokens, matvecThreads, batchTile, attention);
    }
}
