package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dsv3.cpu.RmsNorm;
import org.dsv3.cpu.kernels.Q8Blocks;
import org.dsv3.tornado.kernels.Int8Round;
import org.dsv3.tornado.kernels.MatVec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The device's 8-bit blocks of a sub-block's input ({@link Int8Round#blocks}, rounded from {@code xg = γ ⊙ x} without
 * the normalisation, which only scales them) are the CPU engine's blocks of the normalised input, its {@link RmsNorm}
 * then {@link Q8Blocks}, for V2-Lite's width (8 work-groups) and V3's (28), with a block of zeros: the same quants,
 * and scales that times {@code 1/rms} are the CPU's, 1/rms coming from the work-groups' partial sums of squares. The
 * CPU sums x² in float in one order, the device in another, and the CPU rounds {@code γ·(x·inv)} where the device
 * rounds {@code γ·x}, so the last bits may differ (the CPU's float sum of 7,168 squares carries a relative error of
 * ~1e-6): 1/rms is checked to 1e-6 of the exact (double) value, the scales to 2e-5 of the CPU's, and a quant may
 * differ by one only where the value sits within 3e-3 of a rounding tie (127·2e-5).
 */
class Int8RoundKernelTest {

    @ParameterizedTest
    @ValueSource(ints = {2048, 7168})
    void sameBlocksAsTheCpuEngine(int cols) throws Exception {
        Random rnd = new Random(cols);
        float[] x = new float[cols];
        float[] gain = new float[cols];
        float[] xg = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = i >= 64 && i < 96 ? 0f : (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
            gain[i] = (float) (0.5 + rnd.nextDouble());
            xg[i] = gain[i] * x[i];
        }
        float eps = 1e-6f;
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray xgd = FloatArray.fromArray(xg);
        IntArray q = new IntArray(cols / 4);
        FloatArray d = new FloatArray(cols / 32);
        FloatArray sums = new FloatArray(Int8Round.groups(cols));
        FloatArray inv = new FloatArray(1);
        TaskGraph g = new TaskGraph("norm8")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xd, xgd)
                .task("r", Int8Round::blocks, new KernelContext(), xd, xgd, cols, q, d, sums)
                .task("i", Int8RoundKernelTest::inverse, sums, cols, eps, inv)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, q, d, inv);
        WorkerGrid1D grid = new WorkerGrid1D(Int8Round.groups(cols) * MatVec.GROUP);
        grid.setLocalWork(MatVec.GROUP, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler("norm8.r", grid)).execute();
        }

        double ss = 0;
        for (float v : x) {
            ss += (double) v * v;
        }
        double wantInv = 1 / Math.sqrt(ss / cols + eps);
        assertEquals(wantInv, inv.get(0), 1e-6 * wantInv, "1/rms from the partial sums");
        float[] normed = new float[cols];
        RmsNorm.apply(x, 0, gain, eps, normed, 0);
        Q8Blocks cpu = Q8Blocks.of(normed, 0, cols, 1, cols);
        for (int blk = 0; blk < cols / 32; blk++) {
            float expected = cpu.scale(blk);
            assertEquals(expected, d.get(blk) * inv.get(0), 2e-5f * expected, "scale of block " + blk + " times 1/rms");
        }
        assertEquals(0f, d.get(2), "block 2 is zeros");
        Int8Quants.assertSame(cpu, normed, q, 0, cols, 3e-3);
    }

    /** The consumers' reading of the partial sums ({@link Int8Round#inverseRms}), as a one-thread task. */
    static void inverse(FloatArray sums, int cols, float eps, FloatArray inv) {
        inv.set(0, Int8Round.inverseRms(sums, cols, eps));
    }
}
