package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.dsv3.tornado.kernels.CacheFormat;
import org.dsv3.tornado.kernels.LatentAttention;
import org.dsv3.tornado.kernels.MatVec;
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
 * The attention kernels ({@link LatentAttention#absorb}: absorbed queries; {@link LatentAttention#attend} (a
 * work-group per head) and {@link LatentAttention#attendShared} (8 heads a work-group sharing each staged cache
 * row; also V3's 128 heads, and 12 heads: a partly filled group): new cache row, split online softmax; {@link LatentAttention#merge}: the slices merged) against a scalar float64 reference, for the tiny test models' and V2-Lite's dimensions, with
 * positions spread over more and fewer slices than there are positions, and with only the first few slices
 * in use (a short context: the unused ones must come out empty); with the cache in float32, F16 and BF16.
 */
class AttentionKernelTest {

    @ParameterizedTest
    @CsvSource({"12, 64, 32, 128, 70, 5, 8, f32, perhead",
            "4, 64, 32, 128, 0, 4, 1, f32, perhead",
            "4, 64, 32, 128, 9, 4, 1, f32, perhead",
            "4, 64, 32, 128, 40, 16, 1, f32, perhead",
            "16, 128, 64, 512, 0, 16, 1, f32, perhead",
            "16, 128, 64, 512, 37, 16, 1, f32, perhead",
            "16, 128, 64, 512, 5, 3, 1, f32, perhead",
            "16, 128, 64, 512, 37, 16, 8, f32, perhead",
            "16, 128, 64, 512, 200, 32, 16, f32, perhead", "16, 128, 64, 512, 300, 64, 3, f32, perhead",
            "4, 64, 32, 128, 40, 8, 64, f32, perhead",
            "12, 64, 32, 128, 70, 5, 8, f16, perhead",
            "4, 64, 32, 128, 0, 4, 1, f16, perhead",
            "4, 64, 32, 128, 40, 16, 1, f16, perhead",
            "16, 128, 64, 512, 37, 16, 8, f16, perhead",
            "16, 128, 64, 512, 200, 32, 16, f16, perhead",
            "4, 64, 32, 128, 40, 8, 64, f16, perhead",
            "16, 128, 64, 512, 37, 16, 8, bf16, perhead",
            "4, 64, 32, 128, 40, 16, 1, bf16, perhead",
            "12, 64, 32, 128, 70, 5, 8, f32, shared",
            "4, 64, 32, 128, 0, 4, 1, f32, shared",
            "4, 64, 32, 128, 9, 4, 1, f32, shared",
            "16, 128, 64, 512, 0, 16, 1, f32, shared",
            "16, 128, 64, 512, 37, 16, 8, f32, shared",
            "16, 128, 64, 512, 5, 3, 1, f32, shared",
            "16, 128, 64, 512, 200, 32, 16, f32, shared",
            "16, 128, 64, 512, 300, 64, 3, f32, shared",
            "4, 64, 32, 128, 40, 8, 64, f32, shared",
            "128, 128, 64, 512, 300, 16, 8, f32, shared",
            "12, 64, 32, 128, 70, 5, 8, f16, shared",
            "4, 64, 32, 128, 0, 4, 1, f16, shared",
            "16, 128, 64, 512, 37, 16, 8, f16, shared",
            "16, 128, 64, 512, 200, 32, 16, f16, shared",
            "128, 128, 64, 512, 300, 16, 8, f16, shared",
            "16, 128, 64, 512, 37, 16, 8, bf16, shared",
            "4, 64, 32, 128, 40, 16, 1, bf16, shared"})
    void matchesReference(int heads, int nope, int ropeDim, int rank, int pos, int splits, int minChunk, String cacheType,
                          String kernel) throws Exception {
        boolean shared = kernel.equals("shared");
        int format = cacheType.equals("f32") ? CacheFormat.F32 : cacheType.equals("f16") ? CacheFormat.F16 : CacheFormat.BF16;
        boolean packed = CacheFormat.packed(format);
        Random rnd = new Random(heads * 1000L + pos * 7L + splits);
        int width = rank + ropeDim;
        int qk = nope + ropeDim;
        float[] q = gaussian(rnd, heads * qk);
        float[] kv = gaussian(rnd, width);
        float[] gain = gaussian(rnd, rank);
        float[] cache = gaussian(rnd, (pos + 1) * width);
        // a half-precision cache holds the host's encoding of the rows (Java's F16 conversion, the CPU engine's);
        // the reference then reads the values those bits stand for
        IntArray halves = new IntArray(packed ? (pos + 1) * width / 2 : 2);
        if (packed) {
            for (int w = 0; w < (pos + 1) * width / 2; w++) {
                int lo = encode(format, cache[2 * w]);
                int hi = encode(format, cache[2 * w + 1]);
                halves.set(w, lo | hi << 16);
                cache[2 * w] = decode(format, lo);
                cache[2 * w + 1] = decode(format, hi);
            }
        }
        float[] rope = new float[(pos + 1) * ropeDim];
        for (int p = 0; p <= pos; p++) {
            for (int j = 0; j < ropeDim / 2; j++) {
                double th = p * Math.pow(10000, -2.0 * j / ropeDim);
                rope[p * ropeDim + j] = (float) Math.cos(th);
                rope[p * ropeDim + ropeDim / 2 + j] = (float) Math.sin(th);
            }
        }
        GgmlType type = GgmlType.Q8_0;
        MemorySegment kB = RandomBlocks.row(type, rnd, heads * rank * nope);
        float eps = 1e-6f;
        float scale = 0.1f;

        IntArray step = IntArray.fromElements(0, pos);
        FloatArray cacheD = packed ? new FloatArray(2) : FloatArray.fromArray(cache);
        FloatArray partial = new FloatArray(heads * splits * (rank + 2));
        FloatArray qD = FloatArray.fromArray(q);
        FloatArray kvD = FloatArray.fromArray(kv);
        FloatArray gainD = FloatArray.fromArray(gain);
        FloatArray ropeD = FloatArray.fromArray(rope);
        IntArray kBD = DeviceWeights.words(kB);
        String name = "att" + heads + "x" + rank + "p" + pos + "s" + splits + "c" + minChunk + cacheType + kernel;
        FloatArray qabs = new FloatArray(heads * width);
        FloatArray olat = new FloatArray(heads * rank);
        // decode's fused merge + W_UV launch on the same slices (W_UV random Q8_0, [heads·vDim][rank])
        int vDim = 64;
        MemorySegment vB = RandomBlocks.row(type, rnd, heads * vDim * rank);
        IntArray vBD = DeviceWeights.words(vB);
        FloatArray merged = new FloatArray(LatentAttention.mergeExpandGroups(heads, vDim) * rank);
        FloatArray o = new FloatArray(heads * vDim);
        TaskGraph g = new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, step, cacheD, halves, qD, kvD, gainD, ropeD, kBD)
                .task("b", LatentAttention::absorb, new KernelContext(), qD, ropeD, step, kBD, type.id(), qabs,
                        heads, nope, ropeDim, rank)
                .task("a", shared ? LatentAttention::attendShared : LatentAttention::attend, new KernelContext(), qabs, kvD,
                        gainD, eps, ropeD, step, cacheD, halves, format, scale, partial, heads, ropeDim, rank, splits, minChunk)
                .task("m", LatentAttention::merge, new KernelContext(), partial, step, splits, minChunk, rank, heads, olat)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, vBD)
                .task("e", LatentAttention::mergeExpand, new KernelContext(), partial, step, splits, minChunk, vBD, type.id(),
                        heads, vDim, rank, merged, o)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, partial, cacheD, halves, olat, o);
        WorkerGrid1D absorbGrid = new WorkerGrid1D(LatentAttention.absorbGroups(heads, rank) * MatVec.GROUP);
        absorbGrid.setLocalWork(MatVec.GROUP, 1, 1);
        WorkerGrid1D grid = new WorkerGrid1D((shared ? LatentAttention.headGroups(heads) : heads) * splits * MatVec.GROUP);
        grid.setLocalWork(MatVec.GROUP, 1, 1);
        GridScheduler grids = new GridScheduler(name + ".a", grid);
        grids.addWorkerGrid(name + ".b", absorbGrid);
        WorkerGrid1D mergeGrid = new WorkerGrid1D(LatentAttention.mergeGroups(heads, rank) * MatVec.GROUP);
        mergeGrid.setLocalWork(MatVec.GROUP, 1, 1);
        grids.addWorkerGrid(name + ".m", mergeGrid);
        WorkerGrid1D expandGrid = new WorkerGrid1D(LatentAttention.mergeExpandGroups(heads, vDim) * MatVec.GROUP);
        expandGrid.setLocalWork(MatVec.GROUP, 1, 1);
        grids.addWorkerGrid(name + ".e", expandGrid);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(grids).execute();
        }

        // reference: the new row, then per head q_abs, scores, softmax, o_lat
        double ss = 0;
        for (int i = 0; i < rank; i++) {
            ss += kv[i] * kv[i];
        }
        double inv = 1 / Math.sqrt(ss / rank + eps);
        double[] row = new double[width];
        for (int i = 0; i < rank; i++) {
            row[i] = gain[i] * kv[i] * inv;
        }
        rotate(kv, rank, rope, pos, ropeDim, row, rank);
        // the device's new row; a half format rounds it (at most half a unit in the last place: 2^-11 of the
        // value for F16, 2^-8 for BF16), and the device must attend to the rounded row it stored
        double worstRow = 0;
        double rounding = 0;
        double ulp = format == CacheFormat.F16 ? 0x1p-11 : format == CacheFormat.BF16 ? 0x1p-8 : 0;
        for (int i = 0; i < width; i++) {
            int word = packed ? halves.get((pos * width + i) / 2) : 0;
            float stored = packed ? decode(format, (i & 1) == 0 ? word & 0xFFFF : (word >>> 16)) : cacheD.get(pos * width + i);
            worstRow = Math.max(worstRow, Math.abs(row[i] - stored) - ulp * Math.abs(row[i]));
            rounding = Math.max(rounding, Math.abs(row[i] - stored));
            if (packed) {
                row[i] = stored;
            }
        }
        BlockFormat f = BlockFormat.of(type);
        double worst = 0;
        double worstMerged = 0;
        float[] refLatent = new float[heads * rank];
        for (int h = 0; h < heads; h++) {
            double[] qf = new double[width];
            for (int i = 0; i < rank; i++) {
                qf[i] = f.dot(kB, (long) (h * rank + i) * type.bytesFor(nope), q, h * qk, nope);
            }
            rotate(q, h * qk + nope, rope, pos, ropeDim, qf, rank);
            double[] s = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= pos; t++) {
                double d = 0;
                for (int i = 0; i < width; i++) {
                    d += qf[i] * (t == pos ? row[i] : cache[t * width + i]);
                }
                s[t] = scale * d;
                max = Math.max(max, s[t]);
            }
            double sum = 0;
            for (int t = 0; t <= pos; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            // merge the device's slices
            double big = Double.NEGATIVE_INFINITY;
            for (int sl = 0; sl < splits; sl++) {
                big = Math.max(big, partial.get((h * splits + sl) * (rank + 2) + rank));
            }
            double l = 0;
            for (int sl = 0; sl < splits; sl++) {
                int b = (h * splits + sl) * (rank + 2);
                l += Math.exp(partial.get(b + rank) - big) * partial.get(b + rank + 1);
            }
            for (int i = 0; i < rank; i++) {
                double ref = 0;
                for (int t = 0; t <= pos; t++) {
                    ref += s[t] / sum * (t == pos ? row[i] : cache[t * width + i]);
                }
                double dev = 0;
                for (int sl = 0; sl < splits; sl++) {
                    int b = (h * splits + sl) * (rank + 2);
                    dev += Math.exp(partial.get(b + rank) - big) * partial.get(b + i);
                }
                worst = Math.max(worst, Math.abs(dev / l - ref));
                worstMerged = Math.max(worstMerged, Math.abs(olat.get(h * rank + i) - ref));
                refLatent[h * rank + i] = (float) ref;
            }
        }
        // o = W_UV,h·o_lat[h] against the exactly dequantized rows, relative to Σ|w·x| of each row
        double worstExpanded = 0;
        float[] w = new float[rank];
        for (int r = 0; r < heads * vDim; r++) {
            f.dequantize(vB, (long) r * type.bytesFor(rank), w, 0, rank);
            double ref = 0;
            double size = 0;
            for (int i = 0; i < rank; i++) {
                ref += (double) w[i] * refLatent[(r / vDim) * rank + i];
                size += Math.abs((double) w[i] * refLatent[(r / vDim) * rank + i]);
            }
            worstExpanded = Math.max(worstExpanded, Math.abs(o.get(r) - ref) / Math.max(size, 1e-30));
        }
        if (Boolean.getBoolean("dsv3.debug") && !packed) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < width; i += 8) {
                sb.append(String.format("[%d] dev %.4f ref %.4f  ", i, cacheD.get(pos * width + i), row[i]));
            }
            System.out.println(sb);
            System.out.println("partial head0: " + partial.get(0) + " " + partial.get(rank) + " " + partial.get(rank + 1));
        }
        System.out.printf("attend %s: new row |err| %.2g (beyond the format's rounding; |row − stored| %.2g), o_lat |err| %.2g"
                + " (slices merged here), %.2g (merge kernel); W_UV·o_lat (mergeExpand) %.2g of Σ|w·x|%n", name, worstRow,
                rounding, worst, worstMerged, worstExpanded);
        assertTrue(worstRow < 1e-5, "cache row error " + worstRow);
        assertTrue(worst < 1e-4, "o_lat error " + worst);
        assertTrue(worstMerged < 1e-4, "merged o_lat error " + worstMerged);
        assertTrue(worstExpanded < 1e-4, "mergeExpand error " + worstExpanded + " of the row's Σ|w·x|");
    }

    private static int encode(int format, float v) {
        if (format == CacheFormat.F16) {
            return Float.floatToFloat16(v) & 0xFFFF;
        }
        int b = Float.floatToRawIntBits(v);
        return ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16) & 0xFFFF;   // bfloat16, round to nearest even
    }

    private static float decode(int format, int bits) {
        return format == CacheFormat.F16 ? Float.float16ToFloat((short) bits) : Float.intBitsToFloat(bits << 16);
    }

    private static void rotate(float[] x, int off, float[] rope, int pos, int dims, double[] out, int outOff) {
        for (int j = 0; j < dims / 2; j++) {
            double c = rope[pos * dims + j];
            double sn = rope[pos * dims + dims / 2 + j];
            double a = x[off + 2 * j];
            double b = x[off + 2 * j + 1];
            out[outOff + 2 * j] = a * c - b * sn;
            out[outOff + 2 * j + 1] = a * sn + b * c;
        }
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
