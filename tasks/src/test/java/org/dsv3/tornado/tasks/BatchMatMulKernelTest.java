package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.dsv3.tornado.kernels.BatchMatMul;
import org.dsv3.tornado.kernels.BatchTile;
import org.dsv3.tornado.kernels.WeightType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The batched matrix product ({@link BatchMatMul#multiply}, plain mode) against the scalar
 * {@link BlockFormat#dot} of every row with every token, on random blocks; rows and tokens chosen so that
 * the last tiles are partly empty (and once exactly full: a shape whose row test folds at compile time),
 * and one product of a single k step (32 columns).
 */
class BatchMatMulKernelTest {

    @ParameterizedTest
    @CsvSource({"Q8_0, 200, 256, 70, 128x64, false", "Q8_0, 200, 256, 70, 128x64, true", "Q4_K, 37, 512, 9, 32x16, false",
            "BF16, 96, 32, 33, 64x32, false", "F32, 384, 128, 64, 128x64, false", "Q6_K, 130, 256, 65, 128x128, false", "IQ2_XS, 19, 256, 5, 16x8, false",
            "Q5_0, 70, 256, 20, 64x64, false", "Q5_K, 40, 512, 17, 32x32, false", "Q4_1, 33, 64, 6, 16x8, false",
            "Q4_0, 64, 96, 9, 64x32, false", "Q5_1, 8, 128, 3, 8x4, false"})
    void matchesScalarDot(GgmlType type, int rows, int cols, int tokens, String tileText, boolean split) throws Exception {
        BatchTile tile = BatchTile.parse(tileText);
        Random rnd = new Random(type.id() * 31L + rows);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, cols);
        }
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        IntArray words = split ? DeviceWeights.q8_0SplitRows(w, rows, cols)
                : WeightType.isGrid(type.id()) ? DeviceGrids.words(type.id(), w) : DeviceWeights.words(w);
        int deviceType = split ? WeightType.Q8_0_SPLIT : type.id();
        String name = "mm" + type.name() + rows + "x" + cols + (split ? "split" : "") + "t" + tile.rows() + "x" + tile.tokens();
        IntArray info = new IntArray(2);
        info.set(0, tokens);
        IntArray noTable = new IntArray(2);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray y = new FloatArray(tokens * rows);
        KernelContext ctx = new KernelContext();
        int tokenTiles = tile.tokenTiles(tokens);
        TaskGraph g = new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, info, noTable, words, xd)
                .task("mm", BatchMatMul::multiply, ctx, info, noTable, words, deviceType, rows, cols, 0, xd, cols, 0, y, rows, 0,
                        tokenTiles, BatchMatMul.spec(BatchMatMul.STORE, false, 0, tile))
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        WorkerGrid1D grid = new WorkerGrid1D(tile.rowTiles(rows) * tokenTiles * tile.threads());
        grid.setLocalWork(tile.threads(), 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler(name + ".mm", grid)).execute();
        }
        BlockFormat f = BlockFormat.of(type);
        float[] row = new float[cols];
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            f.dequantize(w, r * rowBytes, row, 0, cols);
            for (int t = 0; t < tokens; t++) {
                float expected = f.dot(w, r * rowBytes, x, t * cols, cols);
                double magnitude = 0; // Σ|w·x|: what reordering a float32 sum can lose a few ulps of
                for (int i = 0; i < cols; i++) {
                    magnitude += Math.abs(row[i] * x[t * cols + i]);
                }
                worst = Math.max(worst, Math.abs(expected - y.get(t * rows + r)) / magnitude);
            }
        }
        System.out.printf("%s: worst |device - scalar| / Σ|w·x| = %.3g%n", name, worst);
        assertTrue(worst < 1e-6, name + ": |error| / Σ|w·x| = " + worst);
    }
}
