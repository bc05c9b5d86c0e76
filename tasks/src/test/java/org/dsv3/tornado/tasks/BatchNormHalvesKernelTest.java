package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dsv3.tornado.kernels.BatchOps;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The batch RMS norm ({@link BatchOps#rmsNorm}) on TornadoVM's device, with and without the packed halves
 * it writes for the tensor-core products: y against the norm computed in double here, each half pair bit
 * for bit equal to Java's {@link Float#floatToFloat16} of the device's own y (clamped to ±65504, the
 * largest half), and y the same with and without halves (1e-6 relative).
 */
class BatchNormHalvesKernelTest {
    private static final int TOKENS = 5;
    private static final int COUNT = 3;
    private static final int COLS = 600;
    private static final int STRIDE = 604;

    @Test
    void normWritesHalvesOfItsOutput() {
        Random rnd = new Random(7);
        float[] x = new float[TOKENS * STRIDE];
        float[] gain = new float[COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * (i % 7 == 0 ? 30f : 1f);
        }
        for (int i = 0; i < COLS; i++) {
            // a few gains large enough that y passes the largest half (saturation)
            gain[i] = i % 97 == 5 ? 4e5f : (float) (0.5 + rnd.nextDouble());
        }
        float eps = 1e-6f;
        Run halves = run(x, gain, eps, 1);
        Run plain = run(x, gain, eps, 0);
        int wrongHalves = 0;
        int saturated = 0;
        double worst = 0;
        for (int t = 0; t < TOKENS; t++) {
            double ss = 0;
            for (int i = 0; i < COLS; i++) {
                ss += (double) x[t * STRIDE + i] * x[t * STRIDE + i];
            }
            double inv = 1 / Math.sqrt(ss / COLS + eps);
            for (int i = 0; i < COLS; i++) {
                int at = t * STRIDE + i;
                float y = halves.y.get(at);
                if (t >= COUNT) {
                    continue;   // not written (and, being only written by the kernel, not uploaded: undefined)
                }
                // two compiled kernels (PoCL may contract and vectorise them differently): within 1e-6 relative
                assertEquals(plain.y.get(at), y, 1e-6 * Math.abs(y) + 1e-30, "y with halves differs from y without at token " + t
                        + ", column " + i);
                double want = gain[i] * x[at] * inv;
                worst = Math.max(worst, Math.abs(y - want) / Math.max(1e-3, Math.abs(want)));
                float clamped = Math.max(-65504f, Math.min(65504f, y));
                saturated += clamped != y ? 1 : 0;
                int half = (halves.yh.get(at >> 1) >> (16 * (at & 1))) & 0xFFFF;
                if (half != (Float.floatToFloat16(clamped) & 0xFFFF) && wrongHalves++ < 5) {
                    System.out.printf("token %d column %d: y %s, half %04x, Java %04x%n", t, i, y, half,
                            Float.floatToFloat16(clamped) & 0xFFFF);
                }
            }
        }
        System.out.printf("batch norm halves: y within %.2e of double, %d saturated, %d wrong halves%n", worst, saturated,
                wrongHalves);
        assertTrue(worst < 1e-5, "y differs from the double norm by " + worst);
        assertTrue(saturated > 0, "the test meant some y past the largest half");
        assertEquals(0, wrongHalves, "halves that differ from Float.floatToFloat16 of y");
    }

    private record Run(FloatArray y, IntArray yh) {
    }

    private static Run run(float[] x, float[] gain, float eps, int halves) {
        IntArray info = new IntArray(BatchOps.TOKENS_AT + TOKENS);
        info.set(0, COUNT);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray g = FloatArray.fromArray(gain);
        FloatArray y = new FloatArray(x.length);
        IntArray yh = new IntArray(x.length / 2);
        y.init(0f);
        yh.init(0);
        String n = "bnh" + halves;
        TaskGraph tg = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, info, xd, g, y, yh)
                .task("k", BatchOps::rmsNorm, new KernelContext(), info, xd, STRIDE, COLS, g, eps, y, yh, halves)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y, yh);
        WorkerGrid1D grid = new WorkerGrid1D(TOKENS * BatchOps.GROUP);
        grid.setLocalWork(BatchOps.GROUP, 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(tg.snapshot())) {
            p.withGridScheduler(new GridScheduler(n + ".k", grid)).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Run(y, yh);
    }
}
