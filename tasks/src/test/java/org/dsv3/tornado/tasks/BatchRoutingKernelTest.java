package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.dsv3.tornado.kernels.BatchOps;
import org.dsv3.tornado.kernels.BatchRouting;
import org.dsv3.tornado.kernels.BatchTile;
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
 * The batch's router and expert grouping on TornadoVM's device ({@link BatchRouting#logits},
 * {@link BatchRouting#group}), against what they must compute: the logits against the scalar
 * {@link BlockFormat#dot} of every router row with every token; the grouping against the assignments sorted
 * by (expert, assignment) on the host — the slot of each assignment, the permutation, and the tiles that cut
 * each expert's run of slots into pieces of at most the tile's tokens. Shapes cover several threads an expert
 * (64 experts), one (160), more experts than threads (300), and more assignments than the kernel keeps in
 * local memory (700 tokens × 8).
 */
class BatchRoutingKernelTest {

    @ParameterizedTest
    @CsvSource({"37, 48, 6, 64", "512, 512, 6, 64", "100, 128, 6, 160", "61, 64, 8, 300", "700, 704, 8, 256", "5, 8, 2, 4"})
    void groupsAssignmentsByExpert(int tokens, int launched, int topK, int experts) throws Exception {
        BatchTile tile = BatchTile.DEFAULT;
        Random rnd = new Random(tokens * 131L + experts);
        FloatArray route = new FloatArray(launched * 2 * topK);
        int[] expertOf = new int[tokens * topK];
        for (int t = 0; t < tokens; t++) {
            // distinct experts a token, skewed so that some experts get several tiles and some none
            List<Integer> chosen = new ArrayList<>();
            while (chosen.size() < topK) {
                int e = rnd.nextInt(4) == 0 ? rnd.nextInt(Math.min(3, experts)) : rnd.nextInt(experts);
                if (!chosen.contains(e)) {
                    chosen.add(e);
                }
            }
            for (int j = 0; j < topK; j++) {
                expertOf[t * topK + j] = chosen.get(j);
                route.set(t * 2 * topK + j, chosen.get(j));
                route.set(t * 2 * topK + topK + j, 1f / topK);
            }
        }
        IntArray info = new IntArray(BatchOps.TOKENS_AT + launched);
        info.set(0, tokens);
        int permAt = BatchRouting.permAt(launched, topK, experts, tile);
        int slotAt = BatchRouting.slotAt(launched, topK, experts, tile);
        IntArray table = new IntArray(BatchRouting.tableSize(launched, topK, experts, tile));
        table.init(-7);
        String n = "group" + tokens + "x" + experts;
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, info, route, table)
                .task("g", BatchRouting::group, new KernelContext(), info, route, topK, experts, table, permAt, slotAt,
                        tile.tokens())
                .transferToHost(DataTransferMode.EVERY_EXECUTION, table);
        WorkerGrid1D grid = new WorkerGrid1D(BatchRouting.GROUP);
        grid.setLocalWork(BatchRouting.GROUP, 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withGridScheduler(new GridScheduler(n + ".g", grid)).execute();
        }

        // expected: slots in order of (expert, assignment)
        int assignments = tokens * topK;
        int[] slotOf = new int[assignments];
        int[] first = new int[experts + 1];
        for (int a = 0; a < assignments; a++) {
            first[expertOf[a] + 1]++;
        }
        for (int e = 0; e < experts; e++) {
            first[e + 1] += first[e];
        }
        int[] next = first.clone();
        for (int a = 0; a < assignments; a++) {
            slotOf[a] = next[expertOf[a]]++;
        }
        for (int a = 0; a < assignments; a++) {
            assertEquals(slotOf[a], table.get(slotAt + a), "slot of assignment " + a);
            assertEquals(a, table.get(permAt + slotOf[a]), "assignment of slot " + slotOf[a]);
        }
        int tiles = 0;
        for (int e = 0; e < experts; e++) {
            for (int s = first[e]; s < first[e + 1]; s += tile.tokens()) {
                int at = 2 + 3 * tiles;
                assertEquals(e, table.get(at), "expert of tile " + tiles);
                assertEquals(s, table.get(at + 1), "first slot of tile " + tiles);
                assertEquals(Math.min(first[e + 1], s + tile.tokens()), table.get(at + 2), "end slot of tile " + tiles);
                tiles++;
            }
        }
        assertEquals(tiles, table.get(0), "tiles");
        assertEquals(permAt, table.get(1), "where the permutation starts");
    }

    @ParameterizedTest
    @CsvSource({"F32, 64, 256, 21, 24", "F32, 160, 512, 9, 16", "Q8_0, 72, 256, 5, 8", "BF16, 13, 64, 3, 4"})
    void logitsMatchTheScalarDot(GgmlType type, int rows, int cols, int tokens, int launched) throws Exception {
        Random rnd = new Random(type.id() * 17L + rows);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, cols);
        }
        float[] x = new float[launched * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        IntArray info = new IntArray(BatchOps.TOKENS_AT + launched);
        info.set(0, tokens);
        IntArray words = DeviceWeights.words(w);
        FloatArray xd = FloatArray.fromArray(x);
        FloatArray y = new FloatArray(launched * rows);
        y.init(-5f);
        String n = "logits" + type.name() + rows;
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, info, words, xd, y)
                .task("l", BatchRouting::logits, new KernelContext(), info, words, type.id(), rows, cols, xd, y)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        WorkerGrid1D grid = new WorkerGrid1D(launched * BatchRouting.GROUP);
        grid.setLocalWork(BatchRouting.GROUP, 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withGridScheduler(new GridScheduler(n + ".l", grid)).execute();
        }
        BlockFormat f = BlockFormat.of(type);
        float[] row = new float[cols];
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            f.dequantize(w, r * rowBytes, row, 0, cols);
            for (int t = 0; t < tokens; t++) {
                double magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    magnitude += Math.abs(row[i] * x[t * cols + i]);
                }
                double err = Math.abs(f.dot(w, r * rowBytes, x, t * cols, cols) - y.get(t * rows + r)) / magnitude;
                worst = Math.max(worst, err);
            }
            for (int t = tokens; t < launched; t++) {
                assertEquals(-5f, y.get(t * rows + r), "row " + r + " of token " + t + " past the batch was written");
            }
        }
        System.out.printf("router logits %s %dx%d, %d tokens: max error %.2e of sum |w*x|%n", type, rows, cols, tokens, worst);
        assertTrue(worst < 1e-5, "router logits differ from the scalar dot by " + worst + " of sum |w*x|");
    }
}
