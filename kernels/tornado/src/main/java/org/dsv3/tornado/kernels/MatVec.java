package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Plain quantized matrix–vector products {@code y = W·x} for one token (decode), reading the GGUF
 * blocks of W in place. Work-groups of {@link #GROUP} threads: {@link #ROWS} rows per group, one
 * 32-lane slice per row (see {@link BlockDot}), the lanes' partial sums added in local memory.
 * Launch with {@code groups(rows)·GROUP} threads, {@code GROUP} per group.
 *
 * <p>TornadoVM miscompiles local arrays passed to helper methods (it indexes them like heap arrays
 * with a header), so every kernel writes its local-memory reductions out in its own body.
 */
public final class MatVec {
    /** Threads per work-group. */
    public static final int GROUP = 256;
    /** Threads cooperating on one row. */
    public static final int LANES = 32;
    /** Rows per work-group. */
    public static final int ROWS = GROUP / LANES;

    private MatVec() {
    }

    /** Work-groups needed for {@code rows} rows of {@code lanes} threads each. */
    public static int groups(int rows, int lanes) {
        int perGroup = GROUP / lanes;
        return (rows + perGroup - 1) / perGroup;
    }

    /**
     * Threads per row for a matvec of {@code rows} rows: {@link #LANES}, doubled (up to {@link #GROUP}) while
     * the launch would have fewer than {@code minThreads} threads. On the H200 a 2048-row matrix at 32 lanes
     * a row is 65,536 threads, a quarter of what its SMs hold resident, and each lane walks its part of the
     * row with one load in flight: latency, not bandwidth, bounds such a launch.
     */
    public static int lanesFor(int rows, int minThreads) {
        int lanes = LANES;
        while (lanes < GROUP && (long) rows * lanes < minThreads) {
            lanes <<= 1;
        }
        return lanes;
    }

    /** Work-groups needed for {@code rows} rows. */
    public static int groups(int rows) {
        return (rows + ROWS - 1) / ROWS;
    }

    /** {@code y[r] = W[r]·x} for {@code r < rows}; W has {@code cols} columns of type {@code type}. */
    public static void matvec(KernelContext ctx, IntArray w, int type, int rows, int cols, FloatArray x, FloatArray y) {
        int lid = ctx.localIdx;
        int lane = lid & (LANES - 1);
        int r = ctx.groupIdx * ROWS + lid / LANES;
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        float s = 0f;
        if (r < rows) {
            s = BlockDot.row(type, w, r * WeightType.rowBytes(type, cols), cols, x, 0, lane, LANES);
        }
        part[lid] = s;
        for (int stride = LANES / 2; stride > 0; stride >>= 1) {
            ctx.localBarrier();
            if (lane < stride) {
                part[lid] += part[lid + stride];
            }
        }
        ctx.localBarrier();
        if (lane == 0 && r < rows) {
            y.set(r, part[lid]);
        }
    }
}
