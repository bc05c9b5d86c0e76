package org.dsv3.tornado.tasks;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.arch.Router;
import org.dsv3.model.config.Gating;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.dsv3.tornado.kernels.BatchMatMul;
import org.dsv3.tornado.kernels.BatchMatMulMma;
import org.dsv3.tornado.kernels.BatchTile;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.NormMatVec;
import org.dsv3.tornado.kernels.Routing;
import org.dsv3.tornado.kernels.WeightType;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Single-kernel checks on a device, without a test framework (for the GPU machine): the matrix–vector
 * kernel per block type, the norm-fused projection with its gated second output, and the routing
 * (softmax; sigmoid with bias and groups) against the CPU engine's {@link Router}, and on a PTX device the
 * tensor-core batched product ({@link BatchMatMulMma}) against float32 dots of the decoded blocks. Usage:
 * {@code KernelCheck DEVICE_DETAIL|-}. Prints one line per check.
 */
public final class KernelCheck {
    private KernelCheck() {
    }

    public static void main(String[] args) throws Exception {
        TornadoDevice device = DeviceSelector.select(args.length > 0 && !args[0].equals("-") ? args[0] : "");
        System.out.println("device " + device.getDeviceName());
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q5_K,
                GgmlType.Q6_K, GgmlType.Q5_0, GgmlType.Q4_0}) {
            matvec(device, t);
        }
        project2(device);
        routing(device, "softmax 6/64", 64, 6, Gating.SOFTMAX, false, 1, 1, false, 1f);
        routing(device, "sigmoid+bias, groups 2/4, 4/8, norm", 8, 4, Gating.SIGMOID, true, 4, 2, true, 2.5f);
        routing(device, "sigmoid+bias, groups 4/8, 8/256, norm", 256, 8, Gating.SIGMOID, true, 8, 4, true, 2.5f);
        if (device.getTornadoVMBackend() == TornadoVMBackendType.PTX) {
            batchMmaPattern(device, true);
            batchMmaPattern(device, false);
            batchMma(device, GgmlType.Q8_0, false, 200, 256, 70, new BatchTile(128, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q8_0, true, 200, 256, 70, new BatchTile(128, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q8_0, true, 64, 512, 64, new BatchTile(64, 64), BatchMatMul.ADD);
            batchMma(device, GgmlType.Q4_K, false, 130, 512, 9, new BatchTile(128, 64), BatchMatMul.ADD);
            batchMma(device, GgmlType.BF16, false, 96, 96, 129, new BatchTile(64, 64), BatchMatMul.STORE);
            // every type read in runs (BlockRun), at both tile widths, rows and tokens past a tile's edge
            batchMma(device, GgmlType.Q6_K, false, 100, 512, 70, new BatchTile(128, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q5_K, false, 72, 256, 64, new BatchTile(64, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q5_0, false, 136, 96, 65, new BatchTile(128, 64), BatchMatMul.ADD);
            batchMma(device, GgmlType.Q4_0, false, 64, 128, 20, new BatchTile(64, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q4_1, false, 40, 64, 64, new BatchTile(64, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q5_1, false, 130, 64, 3, new BatchTile(128, 64), BatchMatMul.STORE);
            batchMma(device, GgmlType.Q3_K, false, 70, 256, 33, new BatchTile(64, 64), BatchMatMul.STORE);
            // X read as packed halves (what the norms write for the products of XN)
            batchMma(device, GgmlType.Q8_0, true, 200, 256, 70, new BatchTile(128, 64), BatchMatMul.STORE, true);
            batchMma(device, GgmlType.Q4_K, false, 130, 512, 9, new BatchTile(64, 64), BatchMatMul.ADD, true);
        }
    }

    /**
     * The tensor-core product on exact small integers (every value and sum exact in halves and floats), so
     * a wrong fragment layout shows as values from the wrong place: {@code identity}: W = [I | 0] (64 × 32),
     * X[t][k] = 32t + k, so y[t][r] = 32t + r (r < 32) or 0; else W[r][k] = 32r + k and X = 1, so y[t][r] =
     * 1024r + 496. Prints the first wrong outputs.
     */
    private static void batchMmaPattern(TornadoDevice device, boolean identity) throws Exception {
        int rows = 64;
        int cols = 32;
        int tokens = 16;
        BatchTile tile = new BatchTile(64, 64);
        float[] w = new float[rows * cols];
        float[] x = new float[tokens * cols];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                w[r * cols + k] = identity ? (r == k ? 1f : 0f) : 32 * r + k;
            }
        }
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < cols; k++) {
                x[t * cols + k] = identity ? 32 * t + k : 1f;
            }
        }
        MemorySegment bytes = MemorySegment.ofArray(new byte[4 * w.length]);
        MemorySegment.copy(w, 0, bytes, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, w.length);
        IntArray words = DeviceWeights.words(bytes);
        IntArray info = new IntArray(2);
        info.set(0, tokens);
        IntArray noTable = new IntArray(2);
        IntArray noHalves = new IntArray(1);
        IntArray noYHalves = new IntArray(1);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray y = new FloatArray(tokens * rows);
        FloatArray staged = new FloatArray(Math.toIntExact(BatchMatMulMma.stagedFloats(1, tile)));
        String n = "kcmmapat" + identity;
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, info, noTable, noHalves, noYHalves, words,
                        xd, staged)
                .task("k", BatchMatMulMma::multiply, new KernelContext(), info, noTable, words, GgmlType.F32.id(), rows, cols,
                        0, xd, noHalves, cols, 0, y, noYHalves, rows, 0, 1, BatchMatMul.spec(BatchMatMul.STORE, false, 0, tile), staged)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y, staged);
        WorkerGrid1D grid = new WorkerGrid1D(tile.threads());
        grid.setLocalWork(tile.threads(), 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withDevice(device).withGridScheduler(new GridScheduler(n + ".k", grid)).execute();
        }
        int wrong = 0;
        StringBuilder first = new StringBuilder();
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                float want = identity ? (r < 32 ? 32 * t + r : 0) : 1024 * r + 496;
                float got = y.get(t * rows + r);
                if (got != want) {
                    if (wrong++ < 24) {
                        first.append(String.format(" (t%d r%d: %.0f want %.0f)", t, r, got, want));
                    }
                }
            }
        }
        StringBuilder row0 = new StringBuilder();
        for (int r = 0; r < 16; r++) {
            row0.append(String.format(" %.0f", staged.get(r)));
        }
        System.out.printf("tensor-core pattern %s: %d of %d wrong%s; staged row 0:%s%n", identity ? "identity" : "sums", wrong,
                tokens * rows, first, row0);
    }

    /**
     * The tensor-core product against float32 dots: every operand rounded to a half (2⁻¹¹ relative), so
     * the error of a sum is bounded by about 2·2⁻¹¹·Σ|w·x|; bound 2e-3 of that magnitude. In ADD mode y
     * starts at 1 everywhere.
     */
    private static void batchMma(TornadoDevice device, GgmlType type, boolean split, int rows, int cols, int tokens,
                                 BatchTile tile, int mode) throws Exception {
        batchMma(device, type, split, rows, cols, tokens, tile, mode, false);
    }

    /** With {@code halves}: X also given as packed halves ({@link BatchMatMul#X_HALVES}, made here on the host). */
    private static void batchMma(TornadoDevice device, GgmlType type, boolean split, int rows, int cols, int tokens,
                                 BatchTile tile, int mode, boolean halves) throws Exception {
        Random rnd = new Random(type.id() * 17L + rows);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, cols);
        }
        float[] x = gaussian(rnd, tokens * cols);
        IntArray words = split ? DeviceWeights.q8_0SplitRows(w, rows, cols) : DeviceWeights.words(w);
        int deviceType = split ? WeightType.Q8_0_SPLIT : type.id();
        IntArray info = new IntArray(2);
        info.set(0, tokens);
        IntArray noTable = new IntArray(2);
        FloatArray xd = FloatArray.fromArray(x);
        IntArray xh = new IntArray(halves ? x.length / 2 : 1);
        for (int i = 0; halves && i < x.length / 2; i++) {
            xh.set(i, halfBits(x[2 * i]) | halfBits(x[2 * i + 1]) << 16);
        }
        int halvesBit = halves ? BatchMatMul.X_HALVES : 0;
        FloatArray y = new FloatArray(tokens * rows);
        float start = mode == BatchMatMul.ADD ? 1f : 0f;
        y.init(start);
        int tokenTiles = (tokens + BatchMatMulMma.TILE_TOKENS - 1) / BatchMatMulMma.TILE_TOKENS;
        int groups = tile.rowTiles(rows) * tokenTiles;
        FloatArray staged = new FloatArray(Math.toIntExact(BatchMatMulMma.stagedFloats(groups, tile)));
        String n = "kcmma" + type.name() + (split ? "split" : "") + (halves ? "h" : "") + rows + "t" + tile.rows();
        // with halves, Y comes back as packed halves too (Y_HALVES), checked against Y's own floats below
        IntArray yh = new IntArray(halves ? tokens * rows / 2 : 1);
        int yHalvesBit = halves ? BatchMatMul.Y_HALVES : 0;
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, info, noTable, words, xd, xh, y, yh,
                        staged)
                .task("k", BatchMatMulMma::multiply, new KernelContext(), info, noTable, words, deviceType, rows, cols, 0, xd,
                        xh, cols, 0, y, yh, rows, 0, tokenTiles, BatchMatMul.spec(mode, false, 0, tile) | halvesBit | yHalvesBit, staged)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y, yh);
        WorkerGrid1D grid = new WorkerGrid1D(groups * tile.threads());
        grid.setLocalWork(tile.threads(), 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withDevice(device).withGridScheduler(new GridScheduler(n + ".k", grid)).execute();
        }
        BlockFormat f = BlockFormat.of(type);
        float[] row = new float[cols];
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            f.dequantize(w, r * rowBytes, row, 0, cols);
            for (int t = 0; t < tokens; t++) {
                double e = start;
                double magnitude = 1e-30;
                for (int i = 0; i < cols; i++) {
                    e += (double) row[i] * x[t * cols + i];
                    magnitude += Math.abs(row[i] * x[t * cols + i]);
                }
                worst = Math.max(worst, Math.abs(e - y.get(t * rows + r)) / magnitude);
            }
        }
        if (halves) {
            int wrong = 0;
            for (int i = 0; i < tokens * rows / 2; i++) {
                wrong += yh.get(i) == (halfBits(y.get(2 * i)) | halfBits(y.get(2 * i + 1)) << 16) ? 0 : 1;
            }
            report("tensor-core product " + type + ": Y as halves (" + wrong + " of " + tokens * rows / 2 + " words wrong)",
                    wrong, 0);
        }
        report("tensor-core product " + type + (split ? " split" : "") + (halves ? " (X as halves)" : "") + " " + rows + "x" + cols + " x " + tokens + " tokens, tile " + tile
                + (mode == BatchMatMul.ADD ? ", add" : ""), worst, 2e-3);
    }

    /** Half bits of v, saturated (Java's own conversion, independent of the kernels' {@code CacheFormat}). */
    private static int halfBits(float v) {
        return Float.floatToFloat16(Math.max(-65504f, Math.min(65504f, v))) & 0xFFFF;
    }

    private static GridScheduler grid(String name, int groups) {
        WorkerGrid1D g = new WorkerGrid1D(groups * MatVec.GROUP);
        g.setLocalWork(MatVec.GROUP, 1, 1);
        return new GridScheduler(name, g);
    }

    private static void matvec(TornadoDevice device, GgmlType type) throws Exception {
        Random rnd = new Random(type.id());
        int rows = 37;
        int cols = 512;
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, cols);
        }
        float[] x = gaussian(rnd, cols);
        IntArray wd = DeviceWeights.words(w);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray y = new FloatArray(rows);
        String n = "kcmv" + type.name();
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, wd, xd)
                .task("k", MatVec::matvec, new KernelContext(), wd, type.id(), rows, cols, xd, y)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withDevice(device).withGridScheduler(grid(n + ".k", MatVec.groups(rows))).execute();
        }
        BlockFormat f = BlockFormat.of(type);
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            float e = f.dot(w, r * rowBytes, x, 0, cols);
            worst = Math.max(worst, Math.abs(e - y.get(r)) / (1 + Math.abs(e)));
        }
        report("matvec " + type, worst, 1e-4);
    }

    private static void project2(TornadoDevice device) throws Exception {
        Random rnd = new Random(5);
        int cols = 256;
        int rowsA = 24;
        int rowsB = 16;
        GgmlType type = GgmlType.Q8_0;
        MemorySegment wa = RandomBlocks.row(type, rnd, rowsA * cols);
        MemorySegment wb = RandomBlocks.row(type, rnd, rowsB * cols);
        float[] x = gaussian(rnd, cols);
        float[] gain = gaussian(rnd, cols);
        float[] gA = gaussian(rnd, rowsA);
        float[] xg = new float[cols];
        double ss = 0;
        for (int i = 0; i < cols; i++) {
            xg[i] = gain[i] * x[i];
            ss += x[i] * x[i];
        }
        double inv = 1 / Math.sqrt(ss / cols + 1e-6);
        IntArray wad = DeviceWeights.words(wa);
        IntArray wbd = DeviceWeights.words(wb);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray xgd = FloatArray.fromArray(xg);
        FloatArray gAd = FloatArray.fromArray(gA);
        FloatArray yA = new FloatArray(rowsA);
        FloatArray yAg = new FloatArray(rowsA);
        FloatArray yB = new FloatArray(rowsB);
        TaskGraph g = new TaskGraph("kcp2").transferToDevice(DataTransferMode.EVERY_EXECUTION, wad, wbd, xd, xgd, gAd)
                .task("k", NormMatVec::project2, new KernelContext(), xd, xgd, 1e-6f, cols, wad, type.id(), rowsA, yA, yAg,
                        gAd, wbd, type.id(), rowsB, yB, 128, NormMatVec.GATE_A, new IntArray(1), new FloatArray(1),
                        new FloatArray(1))
                .transferToHost(DataTransferMode.EVERY_EXECUTION, yA, yAg, yB);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withDevice(device).withGridScheduler(grid("kcp2.k", MatVec.groups(rowsA + rowsB, 128))).execute();
        }
        BlockFormat f = BlockFormat.of(type);
        double worst = 0;
        for (int r = 0; r < rowsA; r++) {
            double e = f.dot(wa, r * type.bytesFor(cols), xg, 0, cols) * inv;
            worst = Math.max(worst, Math.abs(e - yA.get(r)) / (1 + Math.abs(e)));
            worst = Math.max(worst, Math.abs(e * gA[r] - yAg.get(r)) / (1 + Math.abs(e * gA[r])));
        }
        for (int r = 0; r < rowsB; r++) {
            double e = f.dot(wb, r * type.bytesFor(cols), xg, 0, cols) * inv;
            worst = Math.max(worst, Math.abs(e - yB.get(r)) / (1 + Math.abs(e)));
        }
        report("project2 (norm, gated A, B)", worst, 1e-4);
    }

    private static void routing(TornadoDevice device, String label, int experts, int topK, Gating gating, boolean bias,
                                int groups, int groupsUsed, boolean normalize, float scale) throws Exception {
        Random rnd = new Random(experts * 31L + topK);
        float[] logits = gaussian(rnd, experts);
        float[] b = bias ? gaussian(rnd, experts) : new float[experts];
        Router cpu = new Router(experts, gating, bias ? b : null, groups, groupsUsed,
                gating == Gating.SIGMOID || bias ? Router.GroupScore.TOP2_SUM : Router.GroupScore.MAX, topK, normalize, scale);
        Router.Choice want = cpu.choose(logits, 0);
        // the experts kernel with f = 8 rows of 32 columns per expert runs the routing in every work-group
        int f = 8;
        int cols = 32;
        GgmlType type = GgmlType.F32;
        MemorySegment wg = RandomBlocks.row(type, rnd, experts * f * cols);
        float[] x = gaussian(rnd, cols);
        int flags = (gating == Gating.SIGMOID ? Routing.SIGMOID : 0) | (bias ? Routing.BIAS : 0)
                | (gating == Gating.SIGMOID || bias ? Routing.TOP2_SUM : 0) | (normalize ? Routing.NORMALIZE : 0);
        int workGroups = MatVec.groups(topK * f);
        FloatArray route = new FloatArray(workGroups * Routing.slotSize(experts, topK, groups));
        IntArray wgd = DeviceWeights.words(wg);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray ld = FloatArray.fromArray(logits);
        FloatArray bd = FloatArray.fromArray(b);
        FloatArray act = new FloatArray(topK * f);
        String n = "kcr" + experts + "x" + topK + "g" + groups;
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, wgd, xd, ld, bd)
                .task("k", NormMatVec::expertsGateUp, new KernelContext(), xd, xd, 1e-6f, cols, ld, bd, route, wgd, wgd,
                        type.id() | type.id() << 8, f, topK, act, experts, flags, groups | groupsUsed << 16, scale,
                        new IntArray(2), new FloatArray(1))
                .transferToHost(DataTransferMode.EVERY_EXECUTION, route, act);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withDevice(device).withGridScheduler(grid(n + ".k", workGroups)).execute();
        }
        int idsAt = Routing.idsAt(experts);
        boolean same = true;
        double worst = 0;
        StringBuilder got = new StringBuilder();
        for (int j = 0; j < topK; j++) {
            int id = (int) route.get(idsAt + j);
            got.append(id).append(' ');
            same &= id == want.experts()[j];
            worst = Math.max(worst, Math.abs(route.get(idsAt + topK + j) - want.weights()[j]));
        }
        report("routing " + label + " ids " + (same ? "equal" : "DIFFER: device " + got + "cpu "
                + java.util.Arrays.toString(want.experts())), same ? worst : Double.POSITIVE_INFINITY, 1e-5);
    }

    private static void report(String what, double err, double bound) {
        System.out.printf("%-70s %s (error %.3g)%n", what, err <= bound ? "ok" : "FAIL", err);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
