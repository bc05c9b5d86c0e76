package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Quantizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link SwiGluGroup} gives each FFN what {@link SwiGlu#forward} gives it on one token. */
class SwiGluGroupTest {

    @ParameterizedTest
    @EnumSource(DotMode.class)
    void sameAsOneFfnAtATime(DotMode mode) {
        Random rnd = new Random(11);
        int d = 512;
        Arena arena = Arena.ofAuto();
        // hidden sizes that are and are not whole 8-bit blocks; the types of V2-Lite's Q4_K_M experts
        // (Q4_K gate/up, Q5_0 or Q8_0 down), one FFN with gate and up of different types, one all float
        int[] hidden = {64, 96, 256, 40, 256};
        GgmlType[][] types = {
            {GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q5_0},
            {GgmlType.Q8_0, GgmlType.Q8_0, GgmlType.Q8_0},
            {GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q6_K},
            {GgmlType.F32, GgmlType.F32, GgmlType.F32},
            {GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q8_0},
        };
        try (WorkerPool pool = new WorkerPool(2)) {
            MatMul mm = new MatMul(pool, mode);
            SwiGlu[] ffns = new SwiGlu[hidden.length];
            for (int i = 0; i < ffns.length; i++) {
                int f = hidden[i];
                ffns[i] = new SwiGlu(matrix(types[i][0], rnd, f, d, arena), matrix(types[i][1], rnd, f, d, arena),
                        matrix(types[i][2], rnd, d, f, arena), mm);
            }
            float[] x = gaussian(rnd, d);
            float[][] y = SwiGluGroup.forward(ffns, x, d, mm);
            for (int i = 0; i < ffns.length; i++) {
                float[] ref = ffns[i].forward(x, 1);
                float max = 0f;
                for (float v : ref) {
                    max = Math.max(max, Math.abs(v));
                }
                // equal once both run the same compiled kernels; while one still runs interpreted the Vector
                // API's lane sums may be taken in another order, and a last-bit change of a hidden value can
                // move one 8-bit quant of the down product's input (about 1/127 of a block's largest value)
                assertArrayEquals(ref, y[i], 2e-3f * max, "FFN " + i);
            }
        }
    }

    private static WeightMatrix matrix(GgmlType type, Random rnd, int rows, int cols, Arena arena) {
        float[] w = gaussian(rnd, rows * cols);
        if (type == GgmlType.F32) {
            return WeightMatrix.ofFloats("w", w, rows, cols, arena);
        }
        long rowBytes = type.bytesFor(cols);
        MemorySegment seg = arena.allocate(rowBytes * rows, 64);
        for (int r = 0; r < rows; r++) {
            Quantizer.of(type).quantize(w, r * cols, cols, seg, r * rowBytes);
        }
        return new WeightMatrix("w", type, seg, 0, rows, cols, rowBytes);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
