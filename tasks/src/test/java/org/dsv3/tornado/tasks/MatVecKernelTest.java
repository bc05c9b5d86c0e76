package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.WeightType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The device matrix–vector kernel against the scalar {@link BlockFormat#dot} on random blocks of every
 * type the device reads (37 rows, so the last work-group is partly empty).
 */
class MatVecKernelTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS", "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S",
            "IQ3_XXS", "IQ3_S"})
    void matchesScalarDot(GgmlType type) throws Exception {
        check(type, false);
    }

    /**
     * Q8_0 rearranged at upload into split rows (quants interleaved in groups of 8, 4 and 2 blocks, then scales) gives
     * the same products as the file's blocks.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {512, 1408, 320})
    void splitQ8_0RowsMatchScalarDot(int cols) throws Exception {
        check(GgmlType.Q8_0, true, cols);
    }

    private static void check(GgmlType type, boolean split) throws Exception {
        check(type, split, 512);
    }

    private static void check(GgmlType type, boolean split, int cols) throws Exception {
        Random rnd = new Random(type.id() * 31L + 7);
        int rows = 37;
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, cols);
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        IntArray words = split ? DeviceWeights.q8_0SplitRows(w, rows, cols)
                : WeightType.isGrid(type.id()) ? DeviceGrids.words(type.id(), w) : DeviceWeights.words(w);
        int deviceType = split ? WeightType.Q8_0_SPLIT : type.id();
        String name = "mv" + type.name() + (split ? "split" + cols : "");
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray y = new FloatArray(rows);
        KernelContext ctx = new KernelContext();
        TaskGraph g = new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, words, xd)
                .task("mv", MatVec::matvec, ctx, words, deviceType, rows, cols, xd, y)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        WorkerGrid1D grid = new WorkerGrid1D(MatVec.groups(rows) * MatVec.GROUP);
        grid.setLocalWork(MatVec.GROUP, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler(name + ".mv", grid)).execute();
        }
        BlockFormat f = BlockFormat.of(type);
        float[] row = new float[cols];
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            float expected = f.dot(w, r * rowBytes, x, 0, cols);
            f.dequantize(w, r * rowBytes, row, 0, cols);
            double magnitude = 0; // Σ|w·x|: what reordering a float32 sum can lose a few ulps of
            for (int i = 0; i < cols; i++) {
                magnitude += Math.abs(row[i] * x[i]);
            }
            worst = Math.max(worst, Math.abs(expected - y.get(r)) / magnitude);
        }
        System.out.printf("%s: worst |device - scalar| / Σ|w·x| = %.3g%n", name, worst);
        // Both sum the same float32 products in different orders: the difference is a few ulps of Σ|w·x|.
        assertTrue(worst < 1e-6, type + ": |error| / Σ|w·x| = " + worst);
    }
}
