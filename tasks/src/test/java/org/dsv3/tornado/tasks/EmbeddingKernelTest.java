package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.dsv3.tornado.kernels.Embedding;
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
 * The device's single-value decoding (the token-embedding row) of the lattice i-quants against the
 * scalar {@link BlockFormat#dequantize}, on a random table, row 3 of 5.
 */
class EmbeddingKernelTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S"})
    void rowMatchesScalarDequantization(GgmlType type) throws Exception {
        Random rnd = new Random(type.id() * 17L + 3);
        int rows = 5;
        int dim = 512;
        int token = 3;
        long rowBytes = type.bytesFor(dim);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, dim);
        }
        IntArray table = DeviceGrids.words(type.id(), w);
        IntArray step = IntArray.fromElements(token);
        FloatArray gain = new FloatArray(dim);
        gain.init(1f);
        FloatArray h = new FloatArray(dim);
        FloatArray hg = new FloatArray(dim);
        KernelContext ctx = new KernelContext();
        String name = "emb" + type.name();
        TaskGraph g = new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, step, table, gain)
                .task("emb", Embedding::lookup, ctx, step, table, type.id(), dim, gain, h, hg)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, h);
        WorkerGrid1D grid = new WorkerGrid1D(dim);
        grid.setLocalWork(64, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler(name + ".emb", grid)).execute();
        }
        float[] expected = new float[dim];
        BlockFormat.of(type).dequantize(w, token * rowBytes, expected, 0, dim);
        for (int i = 0; i < dim; i++) {
            // one rounding on each side, of the same real product: equal up to an ulp at most
            if (!(Math.abs(expected[i] - h.get(i)) <= 1e-6 * Math.abs(expected[i]) + 1e-30)) {
                fail(type + " value " + i + ": device " + h.get(i) + ", scalar " + expected[i]);
            }
        }
    }
}
