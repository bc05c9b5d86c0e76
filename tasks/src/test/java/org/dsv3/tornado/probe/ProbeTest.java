package org.dsv3.tornado.probe;

import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.NormMatVec;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

class ProbeTest {
    @Test
    void probe() throws Exception {
        int cols = 64;
        IntArray w = new IntArray(cols * 16 + 1);
        w.init(0);
        FloatArray x = new FloatArray(cols);
        x.init(1f);
        FloatArray xg = new FloatArray(cols);
        xg.init(1f);
        FloatArray y = new FloatArray(16);
        FloatArray y2 = new FloatArray(16);
        FloatArray g = new FloatArray(16);
        KernelContext ctx = new KernelContext();
        TaskGraph t = new TaskGraph("p")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, w, x, xg, g)
                .task("k", NormMatVec::project2, ctx, x, xg, 1e-6f, cols, w, 0, 8, y, y, xg, 0, w, 0, 0, y)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y, y2);
        WorkerGrid1D grid = new WorkerGrid1D(2 * MatVec.GROUP);
        grid.setLocalWork(MatVec.GROUP, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(t.snapshot())) {
            plan.withGridScheduler(new GridScheduler("p.k", grid)).execute();
        }
        System.out.println("PROBE OK " + y.get(0));
    }
}
