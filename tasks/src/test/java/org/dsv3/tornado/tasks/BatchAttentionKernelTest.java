package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dsv3.tornado.kernels.BatchAttention;
import org.dsv3.tornado.kernels.BatchOps;
import org.dsv3.tornado.kernels.CacheFormat;
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
 * The batch's causal latent attention ({@link BatchAttention#attend}) on TornadoVM's device against the
 * formula in double (docs/architecture.md §3.3: softmax over positions {@code j ≤ p0+t} of
 * {@code scale·qa[t][h]·K_j}, then the weighted sum of the latent parts {@code c_j}): 12 heads (a full and a
 * partial group of 8), a batch starting at position 30 (earlier rows in the cache), more than one chunk of
 * positions per token, tokens past the batch's count in the launch; float32 cache and F16 halves.
 */
class BatchAttentionKernelTest {
    private static final int HEADS = 12;
    private static final int RANK = 96;
    private static final int ROPE = 32;
    private static final int WIDTH = RANK + ROPE;
    private static final int P0 = 30;
    private static final int COUNT = 41;
    private static final int LAUNCHED = 48;
    private static final float SCALE = 0.11f;

    @Test
    void float32Cache() {
        check(CacheFormat.F32);
    }

    @Test
    void f16Cache() {
        check(CacheFormat.F16);
    }

    private static void check(int format) {
        Random rnd = new Random(11 + format);
        int rows = P0 + COUNT;
        float[] cache = new float[rows * WIDTH];
        for (int i = 0; i < cache.length; i++) {
            float v = (float) rnd.nextGaussian();
            // what the device's cache holds (rounded to halves for F16)
            cache[i] = format == CacheFormat.F32 ? v : Float.float16ToFloat(Float.floatToFloat16(v));
        }
        float[] qa = new float[LAUNCHED * HEADS * WIDTH];
        for (int i = 0; i < qa.length; i++) {
            qa[i] = (float) rnd.nextGaussian();
        }
        IntArray info = new IntArray(BatchOps.TOKENS_AT + LAUNCHED);
        info.set(0, COUNT);
        info.set(1, P0);
        FloatArray cacheD = FloatArray.fromArray(format == CacheFormat.F32 ? cache : new float[1]);
        IntArray halves = new IntArray(format == CacheFormat.F32 ? 1 : rows * WIDTH / 2);
        for (int w = 0; format != CacheFormat.F32 && w < rows * WIDTH / 2; w++) {
            halves.set(w, (Float.floatToFloat16(cache[2 * w]) & 0xFFFF) | (Float.floatToFloat16(cache[2 * w + 1]) & 0xFFFF) << 16);
        }
        FloatArray qaD = FloatArray.fromArray(qa);
        FloatArray ol = new FloatArray(LAUNCHED * HEADS * RANK);
        String n = "batt" + format;
        TaskGraph g = new TaskGraph(n).transferToDevice(DataTransferMode.EVERY_EXECUTION, info, qaD, cacheD, halves)
                .task("a", BatchAttention::attend, new KernelContext(), info, qaD, cacheD, halves, format, SCALE, ol, HEADS,
                        RANK, ROPE)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, ol);
        WorkerGrid1D grid = new WorkerGrid1D(BatchAttention.attendGroups(LAUNCHED, HEADS) * BatchAttention.GROUP);
        grid.setLocalWork(BatchAttention.GROUP, 1, 1);
        try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
            p.withGridScheduler(new GridScheduler(n + ".a", grid)).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        double worst = 0;
        for (int t = 0; t < COUNT; t++) {
            int hi = P0 + t + 1;
            for (int h = 0; h < HEADS; h++) {
                double[] s = new double[hi];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < hi; j++) {
                    double dot = 0;
                    for (int i = 0; i < WIDTH; i++) {
                        dot += (double) qa[(t * HEADS + h) * WIDTH + i] * cache[j * WIDTH + i];
                    }
                    s[j] = SCALE * dot;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < hi; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int i = 0; i < RANK; i++) {
                    double o = 0;
                    for (int j = 0; j < hi; j++) {
                        o += s[j] * cache[j * WIDTH + i];
                    }
                    o /= sum;
                    worst = Math.max(worst, Math.abs(o - ol.get((t * HEADS + h) * RANK + i)));
                }
            }
        }
        System.out.printf("batch attention (%s cache, %d heads, %d tokens from position %d): max |diff| %.2e%n",
                format == CacheFormat.F32 ? "float32" : "F16", HEADS, COUNT, P0, worst);
        assertTrue(worst < 2e-5, "o_lat differs from the double formula by " + worst);
    }
}
