package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dsv3.cpu.kernels.Q8Blocks;
import org.dsv3.model.arch.Router;
import org.dsv3.model.arch.RoutingRule;
import org.dsv3.model.config.Gating;
import org.dsv3.tornado.kernels.NormMatVec;
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
 * The routed experts' launch with its activations rounded in place, 32 rows a work-group of 256, 512 or 1024 threads
 * (8, 16 or 32 lanes a row)
 * ({@link NormMatVec#EXPERTS_ROUND_OUT}): the SwiGLU rows of the experts the CPU engine's {@link Router} chooses,
 * computed here in double from the same float32 weights, and the 8-bit blocks stored after the input's
 * ({@code xq8} / {@code xs8} from value {@code cols}) are the CPU engine's {@link Q8Blocks} of those rows: the same
 * scale up to 2 ulp (OpenCL's float division may be off by 2.5 ulp, Java's is exact; measured on PoCL: 1 ulp) and
 * the same quant, except by one where a value sits within 1e-4 of a rounding tie (where an ulp of the scale
 * decides). Rows 32-63 of every expert have zero up weights, so some blocks are all zeros (scale 0, quants 0).
 */
class ExpertsRoundKernelTest {

    /**
     * f = 96 and 256: with f = 256 (seed 5) some gate sums reach −90, where an unbounded {@code e^−g} overflows and
     * PoCL returned NaN for SiLU ({@code Silu}).
     */
    @ParameterizedTest
    @CsvSource({"96, 8", "256, 8", "96, 16", "256, 32"})
    void roundsTheChosenExpertsRowsAsTheCpuEngine(int f, int lanes) throws Exception {
        int experts = 8;
        int topK = 3;
        int cols = 64;
        RoutingRule rule = new RoutingRule(experts, Gating.SOFTMAX, false, 1, 1, Router.GroupScore.MAX, topK, false, 1f);
        Random rnd = new Random(5);
        float[] logits = new float[experts];
        for (int e = 0; e < experts; e++) {
            logits[e] = (float) rnd.nextGaussian();
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] gate = new float[experts * f * cols];
        float[] up = new float[experts * f * cols];
        for (int i = 0; i < gate.length; i++) {
            int rowInExpert = (i / cols) % f;
            gate[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
            up[i] = rowInExpert >= 32 && rowInExpert < 64 ? 0f : (float) rnd.nextGaussian();
        }
        Router.Choice choice = new Router(rule, null).choose(logits, 0);

        float eps = 1e-6f;
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray xg = FloatArray.fromArray(x); // gain 1
        FloatArray logitsD = FloatArray.fromArray(logits);
        FloatArray bias = new FloatArray(experts);
        FloatArray route = new FloatArray(org.dsv3.tornado.kernels.Routing.slotSize(experts, topK, 1));
        IntArray wG = floatBits(gate);
        IntArray wU = floatBits(up);
        FloatArray act = new FloatArray(topK * f);
        IntArray q8 = new IntArray((cols + topK * f) / 4);
        FloatArray s8 = new FloatArray((cols + topK * f) / 32);
        int spec = NormMatVec.expertsSpec(WeightType.F32, WeightType.F32, lanes, false, true);
        int local = NormMatVec.expertsGroup(spec);
        assertEquals(lanes * NormMatVec.ROUND_ROWS, local, "a work-group is one block of rows");
        String name = "round8f" + f + "l" + lanes;
        TaskGraph g = new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, xd, xg, logitsD, bias, route, wG, wU, act, q8, s8)
                .task("r", NormMatVec::expertsGateUp, new KernelContext(), xd, xg, eps, cols, logitsD, bias, route, wG, wU,
                        spec, f, topK, act, experts, RoutingFlags.of(rule), 1 | 1 << 16, rule.scale(), q8, s8)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, act, q8, s8);
        WorkerGrid1D grid = new WorkerGrid1D(topK * f / NormMatVec.ROUND_ROWS * local);
        grid.setLocalWork(local, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler(name + ".r", grid)).execute();
        }

        double ss = 0;
        for (float v : x) {
            ss += (double) v * v;
        }
        double inv = 1 / Math.sqrt(ss / cols + eps);
        float[] got = act.toHeapArray();
        for (int j = 0; j < topK; j++) {
            for (int i = 0; i < f; i++) {
                int row = choice.experts()[j] * f + i;
                double gs = 0;
                double us = 0;
                for (int c = 0; c < cols; c++) {
                    gs += (double) gate[row * cols + c] * x[c];
                    us += (double) up[row * cols + c] * x[c];
                }
                gs *= inv;
                us *= inv;
                double want = gs / (1 + Math.exp(-gs)) * us;
                assertEquals(want, got[j * f + i], 1e-5 * (1 + Math.abs(want)), "act of chosen expert " + j + ", row " + i);
            }
        }
        int n = topK * f;
        Q8Blocks cpu = Q8Blocks.of(got, 0, n, 1, n);
        for (int blk = 0; blk < n / 32; blk++) {
            float expected = cpu.scale(blk);
            assertEquals(expected, s8.get(cols / 32 + blk), 2 * Math.ulp(expected), "scale of block " + blk);
        }
        assertEquals(0f, s8.get(cols / 32 + 1), "rows 32-63 of the first chosen expert are zeros");
        Int8Quants.assertSame(cpu, got, q8, cols, n, 1e-4);
    }

    private static IntArray floatBits(float[] v) {
        IntArray a = new IntArray(v.length);
        for (int i = 0; i < v.length; i++) {
            a.set(i, Float.floatToRawIntBits(v[i]));
        }
        return a;
    }
}
