package org.dsv3.tornado.tasks;

import org.dsv3.tornado.kernels.BatchTile;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

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
 * @param tensorCores    the batched products on the tensor cores ({@code BatchMatMulMma}: halves in, float32
 *                       sums; PTX devices only, tile 128x64 or 64x64)
 * @param int8Ffn        decode's FFN gate/up products on 8-bit activation blocks ({@code NormMatVec}'s int8 paths,
 *                       Q8_0 weights), as the CPU engine's default {@code cpu:int8}
 * @param dp4a           those integer dots as PTX's {@code dp4a} ({@code NormMatVecDp4a}); only where the kernels
 *                       compile for PTX (a PTX device with PTX TornadoVM's default backend)
 * @param expertLanes    threads a row of the routed experts' gate/up launch ({@code NormMatVec.expertsGateUp}) where
 *                       it does not round its activations for 8-bit down products
 * @param expertsGroup   threads a work-group of that launch where it does round them (32 rows, one 8-bit block, so
 *                       {@code expertsGroup/32} lanes a row): 256 by default, 512 or 1024 for more threads in flight
 *                       ({@code NormMatVec.EXPERTS_MAX_GROUP}), refused where the device's work-groups are smaller
 * @param downTwoRows    the FFN's down launch ({@code Residual.downAdd}) with two output rows a work-group instead of one
 */
record PlanOptions(int layersPerGraph, int splits, int slicePositions, boolean profile, boolean cudaGraph, int batch,
                   int matvecThreads, BatchTile batchTile, AttentionKernel attention, boolean tensorCores,
                   Int8Ffn int8Ffn, boolean dp4a, int expertLanes, int expertsGroup,
                   boolean downTwoRows) {
    /** Default most slices of the per-head kernel ({@link AttentionKernel#defaultSplits} per kernel). */
    static final int DEFAULT_SPLITS = 32;
    static final int DEFAULT_SLICE_POSITIONS = 16;
    static final int DEFAULT_BATCH = 512;
    /** About one H200's worth of resident threads (132 SMs × 2048), so that a small matrix still fills the device. */
    static final int DEFAULT_MATVEC_THREADS = 1 << 18;
    static final int DEFAULT_EXPERT_LANES = 32;
    static final int DEFAULT_EXPERTS_GROUP = 256;

    /** The layout options with the default matvec width and attention kernel. */
    PlanOptions(int layersPerGraph, int splits, int slicePositions, boolean profile, boolean cudaGraph, int batch,
                BatchTile batchTile) {
        this(layersPerGraph, splits, slicePositions, profile, cudaGraph, batch, DEFAULT_MATVEC_THREADS, batchTile,
                AttentionKernel.parse(null), false, Int8Ffn.OFF, false, DEFAULT_EXPERT_LANES, DEFAULT_EXPERTS_GROUP, false);
    }

    /** The options with the default attention kernel, tensor cores off. */
    PlanOptions(int layersPerGraph, int splits, int slicePositions, boolean profile, boolean cudaGraph, int batch,
                int matvecThreads, BatchTile batchTile) {
        this(layersPerGraph, splits, slicePositions, profile, cudaGraph, batch, matvecThreads, batchTile,
                AttentionKernel.parse(null), false, Int8Ffn.OFF, false, DEFAULT_EXPERT_LANES, DEFAULT_EXPERTS_GROUP, false);
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
        if (int8Ffn == null) {
            throw new IllegalArgumentException("int8 FFN choice missing");
        }
        if (dp4a && int8Ffn == Int8Ffn.OFF) {
            throw new IllegalArgumentException("dp4a is the integer dot of the int8 FFN path: int8Ffn must be on");
        }
        if (Integer.bitCount(expertLanes) != 1 || expertLanes > 256) {
            throw new IllegalArgumentException("expert lanes must be a power of two <= 256, got " + expertLanes);
        }
        if (Integer.bitCount(expertsGroup) != 1 || expertsGroup < 256 || expertsGroup > 1024) {
            throw new IllegalArgumentException("-Ddsv3.tornado.expertsGroup takes 256, 512 or 1024, got " + expertsGroup);
        }
        if (batch < 0) {
            throw new IllegalArgumentException("prefill batch must be >= 0 (0: token by token), got " + batch);
        }
    }

    /**
     * From system properties {@code dsv3.tornado.layersPerGraph}, {@code .splits}, {@code .slicePositions},
     * {@code .profile}, {@code .cudaGraph}, {@code .batch}, {@code .matvecThreads}, {@code .batchTile} ({@code ROWSxTOKENS})
     * {@code .attention} ({@code shared|perhead}), {@code .tensorCores}, {@code .expertLanes}, {@code .expertsGroup} and {@code .downTwoRows}; CUDA graphs are on by default on a
     * PTX device (measured on the H200: they cut the launch cost several times) and off elsewhere (only PTX has
     * them). The default of {@code .splits} is the attention kernel's ({@link AttentionKernel#defaultSplits}).
     * Tensor cores are off unless asked for, and refused where TornadoVM cannot compile them ({@link #tensorCores}).
     * {@code .int8} ({@link Int8Ffn}) puts decode's Q8_0 products on 8-bit activations, as {@code dp4a} instructions where
     * PTX compiles every kernel (there it is the default), as byte products elsewhere (off unless asked for).
     */
    static PlanOptions fromSystemProperties(TornadoDevice device) {
        String graphs = System.getProperty("dsv3.tornado.cudaGraph");
        boolean ptx = device != null && device.getTornadoVMBackend() == TornadoVMBackendType.PTX;
        AttentionKernel attention = AttentionKernel.parse(System.getProperty(AttentionKernel.PROPERTY));
        boolean dp4a = ptx && defaultBackendIsPtx();
        // 8-bit inputs by default only where they are dp4a: measured there (H200, V2-Lite Q8_0: 1.15-1.28x the float path)
        Int8Ffn int8 = Int8Ffn.parse(System.getProperty(Int8Ffn.PROPERTY), dp4a ? Int8Ffn.ALL : Int8Ffn.OFF);
        return new PlanOptions(Integer.getInteger("dsv3.tornado.layersPerGraph", 0),
                Integer.getInteger("dsv3.tornado.splits", attention.defaultSplits),
                Integer.getInteger("dsv3.tornado.slicePositions", DEFAULT_SLICE_POSITIONS),
                Boolean.getBoolean("dsv3.tornado.profile"), graphs != null ? Boolean.parseBoolean(graphs) : ptx,
                Integer.getInteger("dsv3.tornado.batch", DEFAULT_BATCH),
                Integer.getInteger("dsv3.tornado.matvecThreads", DEFAULT_MATVEC_THREADS),
                BatchTile.parse(System.getProperty("dsv3.tornado.batchTile")), attention,
                tensorCores(Boolean.getBoolean("dsv3.tornado.tensorCores"), ptx, ptx && defaultBackendIsPtx()),
                int8, int8 != Int8Ffn.OFF && dp4a,
                Integer.getInteger("dsv3.tornado.expertLanes", DEFAULT_EXPERT_LANES),
                expertsGroup(Integer.getInteger("dsv3.tornado.expertsGroup", DEFAULT_EXPERTS_GROUP), device),
                Boolean.getBoolean("dsv3.tornado.downTwoRows"));
    }

    /**
     * Whether the asked-for tensor-core products can run: on a PTX device, with PTX TornadoVM's default
     * backend too (5.2 builds a kernel's sketch with the default backend's intrinsics, and only PTX's know
     * the MMA ones: with OpenCL first the compile fails even for a PTX device).
     */
    static boolean tensorCores(boolean asked, boolean ptxDevice, boolean ptxDefault) {
        if (asked && !ptxDevice) {
            throw new IllegalArgumentException("-Ddsv3.tornado.tensorCores=true needs a PTX device (TornadoVM lowers its "
                    + "MMA intrinsics only there)");
        }
        if (asked && !ptxDefault) {
            throw new IllegalArgumentException("-Ddsv3.tornado.tensorCores=true needs PTX as TornadoVM's default backend: "
                    + "add -Dtornado.ptx.priority=100 (the ptx preset, DSV3_TORNADO_PRESET=ptx)");
        }
        return asked;
    }

    /** {@code asked}, where {@code device}'s work-groups can be that wide (the option's own bounds are the record's). */
    static int expertsGroup(int asked, TornadoDevice device) {
        long[] max = device != null ? device.getDeviceMaxWorkgroupDimensions() : null;
        if (max != null && max.length > 0 && max[0] > 0 && asked > max[0]) {
            throw new IllegalArgumentException("-Ddsv3.tornado.expertsGroup=" + asked + ": " + device.getDeviceName()
                    + " takes work-groups of at most " + max[0] + " threads");
        }
        return asked;
    }

    private static boolean defaultBackendIsPtx() {
        return TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice().getTornadoVMBackend() == TornadoVMBackendType.PTX;
    }

    PlanOptions withProfile(boolean on) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, on, cudaGraph, batch, matvecThreads, batchTile, attention, tensorCores, int8Ffn, dp4a, expertLanes, expertsGroup, downTwoRows);
    }

    PlanOptions withCudaGraph(boolean on) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, profile, on, batch, matvecThreads, batchTile, attention, tensorCores, int8Ffn, dp4a, expertLanes, expertsGroup, downTwoRows);
    }

    PlanOptions withBatch(int tokens) {
        return new PlanOptions(layersPerGraph, splits, slicePositions, profile, cudaGraph, tokens, matvecThreads, batchTile, attention, tensorCores, int8Ffn, dp4a, expertLanes, expertsGroup, downTwoRows);
    }
}
