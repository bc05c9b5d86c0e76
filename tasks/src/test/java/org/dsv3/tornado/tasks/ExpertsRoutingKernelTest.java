package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dsv3.model.arch.Router;
import org.dsv3.model.arch.RoutingRule;
import org.dsv3.model.config.Gating;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.NormMatVec;
import org.dsv3.tornado.kernels.Routing;
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
 * The decode experts kernel's routing ({@link NormMatVec#expertsGateUp} writes the chosen ids and weights)
 * against the CPU engine's {@link Router} on random logits: softmax (V2) and sigmoid with a selection bias and
 * group-limited choice (V3: 8 groups, 4 kept, top-2-sum), with logits drawn from few values so that ties occur
 * (ties go to the lower index), 64 to 384 experts (threads hold two experts above 256).
 */
class ExpertsRoutingKernelTest {

    @ParameterizedTest
    @CsvSource({"64, 6, SOFTMAX, false, 1, 1, true", "64, 6, SOFTMAX, false, 1, 1, false", "256, 8, SIGMOID, true, 8, 4, true",
            "384, 8, SIGMOID, true, 1, 1, true", "160, 6, SOFTMAX, false, 8, 3, false", "16, 4, SIGMOID, true, 4, 2, true"})
    void choosesAsTheCpuRouter(int experts, int topK, Gating gating, boolean biased, int groups, int groupsUsed,
                               boolean ties) throws Exception {
        RoutingRule rule = new RoutingRule(experts, gating, biased, groups, groupsUsed,
                gating == Gating.SIGMOID ? Router.GroupScore.TOP2_SUM : Router.GroupScore.MAX, topK, true, 2.5f);
        Random rnd = new Random(experts * 7L + topK + (ties ? 1 : 0));
        float[] logits = new float[experts];
        for (int e = 0; e < experts; e++) {
            logits[e] = ties ? rnd.nextInt(5) * 0.5f : (float) rnd.nextGaussian();
        }
        float[] bias = new float[experts];
        for (int e = 0; e < experts; e++) {
            bias[e] = biased ? (ties ? rnd.nextInt(2) * 0.25f : (float) rnd.nextGaussian() * 0.1f) : 0f;
        }
        Router.Choice want = new Router(rule, biased ? bias : null).choose(logits, 0);

        int cols = 32;
        int f = 1;
        FloatArray x = new FloatArray(cols);
        x.init(1f);
        FloatArray xg = new FloatArray(cols);
        FloatArray route = new FloatArray(Routing.slotSize(experts, topK, groups));
        IntArray wG = new IntArray(experts * cols);
        IntArray wU = new IntArray(experts * cols);
        FloatArray act = new FloatArray(topK * f);
        FloatArray logitsD = FloatArray.fromArray(logits);
        FloatArray biasD = FloatArray.fromArray(bias);
        int types = NormMatVec.expertsSpec(WeightType.F32, WeightType.F32, MatVec.LANES, false, false);
        String n = "route" + experts + gating + groups + ties;
        TaskGraph g = new TaskGraph(n)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, xg, logitsD, biasD, route, wG, wU, act)
                .task("r", NormMatVec::expertsGateUp, new KernelContext(), x, xg, 1e-6f, cols, logitsD, biasD, route, wG, wU,
                        types, f, topK, act, experts, RoutingFlags.of(rule), groups | groupsUsed << 16, rule.scale(),
                        new IntArray(2), new FloatArray(1))
                .transferToHost(DataTransferMode.EVERY_EXECUTION, route);
        WorkerGrid1D grid = new WorkerGrid1D(MatVec.GROUP);
        grid.setLocalWork(MatVec.GROUP, 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withGridScheduler(new GridScheduler(n + ".r", grid)).execute();
        }
        int at = Routing.idsAt(experts);
        int[] ids = new int[topK];
        float[] weights = new float[topK];
        for (int k = 0; k < topK; k++) {
            ids[k] = (int) route.get(at + k);
            weights[k] = route.get(at + topK + k);
        }
        assertArrayEquals(want.experts(), ids, "chosen experts, in order");
        for (int k = 0; k < topK; k++) {
            assertEquals(want.weights()[k], weights[k], 1e-6f * Math.abs(want.weights()[k]) + 1e-7f, "weight " + k);
        }
    }
}
