package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dsv3.cpu.kernels.Q8Blocks;
import org.dsv3.tornado.kernels.Int8Round;
import org.dsv3.tornado.kernels.MatVec;
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
 * The device's 8-bit activation blocks ({@link Int8Round#twoVectors}) are the CPU engine's ({@link Q8Blocks}, whose
 * integer products are bounded against llama.cpp's deviation), for two vectors laid end to end (V2-Lite's six
 * experts' SwiGLU rows and its shared experts' row), blocks of zeros and values on exact rounding ties included: the
 * same scale up to 2 ulp (OpenCL's float division may be off by 2.5 ulp, Java's is exact; measured on PoCL: 1 ulp),
 * and the same quant, except by one where the value sits within 1e-4 of a rounding tie (where an ulp of the scale
 * decides).
 */
class Int8RoundKernelTest {

    @Test
    void sameBlocksAsTheCpuEngine() throws Exception {
        int nA = 6 * 1408;
        int nB = 2816;
        Random rnd = new Random(11);
        float[] a = new float[nA];
        float[] b = new float[nB];
        for (int i = 0; i < nA; i++) {
            a[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
        }
        for (int i = 0; i < nB; i++) {
            b[i] = (float) rnd.nextGaussian() * 0.01f;
        }
        for (int i = 64; i < 96; i++) {
            a[i] = 0f; // a block of zeros: scale 0, quants 0
        }
        for (int i = 0; i < 32; i++) {
            b[32 + i] = i == 0 ? 127f : i + 0.5f; // max 127: scale 1, every other value a tie (halves away from zero)
            b[64 + i] = i == 0 ? -127f : -(i + 0.5f);
        }
        FloatArray ad = FloatArray.fromArray(a);
        FloatArray bd = FloatArray.fromArray(b);
        IntArray q = new IntArray((nA + nB) / 4);
        FloatArray d = new FloatArray((nA + nB) / 32);
        TaskGraph g = new TaskGraph("round8")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, ad, bd)
                .task("r", Int8Round::twoVectors, new KernelContext(), ad, nA, bd, nB, q, d)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, q, d);
        WorkerGrid1D grid = new WorkerGrid1D(Int8Round.groups(nA + nB) * MatVec.GROUP);
        grid.setLocalWork(MatVec.GROUP, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler("round8.r", grid)).execute();
        }
        check(Q8Blocks.of(a, 0, nA, 1, nA), a, q, d, 0, nA);
        check(Q8Blocks.of(b, 0, nB, 1, nB), b, q, d, nA, nB);
        assertEquals(1f, d.get((nA + 32) / 32));
        // exact ties (scale 127/127 = 1) round away from zero, as the CPU's rule: 2.5 to 3 (not 2, as half-to-even would)
        assertEquals(3, (byte) (q.get((nA + 34) / 4) >> 16), "2.5 rounds to 3");
        assertEquals(-3, (byte) (q.get((nA + 66) / 4) >> 16), "-2.5 rounds to -3");
    }

    private static void check(Q8Blocks cpu, float[] x, IntArray q, FloatArray d, int from, int n) {
        for (int blk = 0; blk < n / 32; blk++) {
            float expected = cpu.scale(blk);
            assertEquals(expected, d.get(from / 32 + blk), 2 * Math.ulp(expected), "scale of block " + blk + " from " + from);
        }
        for (int i = 0; i < n; i++) {
            int word = q.get((from + i) / 4);
            int quant = (byte) (word >> (8 * ((from + i) & 3)));
            if (quant != cpu.quant(i)) {
                double v = Math.abs(x[i] / (double) cpu.scale(i / 32));
                double fromTie = Math.abs(v - Math.floor(v) - 0.5);
                assertTrue(fromTie < 1e-4 && Math.abs(quant - cpu.quant(i)) == 1, "quant " + i + " from " + from + ": "
                        + quant + ", the CPU engine's " + cpu.quant(i) + " (value/scale " + v + ")");
            }
        }
    }
}
