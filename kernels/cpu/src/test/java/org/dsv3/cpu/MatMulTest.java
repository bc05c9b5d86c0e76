package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Quantizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatMulTest {

    @ParameterizedTest(name = "{0} rows × {1} cols, {2} tokens")
    @CsvSource({"37, 64, 5", "8, 70, 2", "13, 3, 7", "4, 128, 1", "64, 512, 16"})
    void batchEqualsRowByRowDots(int rows, int cols, int tokens) {
        Random rnd = new Random(3);
        float[] w = new float[rows * cols];
        float[] x = new float[tokens * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        try (WorkerPool pool = new WorkerPool(2)) {
            MatMul mm = new MatMul(pool);
            WeightMatrix m = WeightMatrix.ofFloats("w", w, rows, cols, Arena.ofAuto());
            float[] batch = mm.apply(m, x, tokens);
            for (int t = 0; t < tokens; t++) {
                float[] xt = new float[cols];
                System.arraycopy(x, t * cols, xt, 0, cols);
                float[] single = mm.apply(m, xt, 1);
                for (int r = 0; r < rows; r++) {
                    double ref = 0;
                    for (int k = 0; k < cols; k++) {
                        ref += (double) w[r * cols + k] * x[t * cols + k];
                    }
                    assertEquals(ref, batch[t * rows + r], 1e-4, "batch t=" + t + " r=" + r);
                    assertEquals(ref, single[r], 1e-4, "single t=" + t + " r=" + r);
                }
            }
        }
    }

    /**
     * Batches on the token-panel path (from 3/4 of a vector of tokens): rows that are not a multiple
     * of the 12-row tile, token counts around the panel width (8 or 16) and the panel pair, columns
     * that are not a multiple of the vector length, and more rows than one cache group (64 at
     * 2048 columns). Checked against float64 sums, relative to the sum of |w·x| terms.
     */
    @ParameterizedTest(name = "{0} rows × {1} cols, {2} tokens")
    @CsvSource({"13, 70, 16", "25, 33, 17", "12, 64, 31", "7, 3, 33", "50, 100, 47", "130, 2048, 40", "20, 40, 12", "9, 24, 7",
            "1, 19, 64", "97, 16, 100"})
    void panelBatchMatchesFloat64(int rows, int cols, int tokens) {
        Random rnd = new Random(rows * 31 + tokens);
        float[] w = gaussian(rnd, rows * cols);
        float[] x = gaussian(rnd, tokens * cols);
        try (WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix m = WeightMatrix.ofFloats("w", w, rows, cols, Arena.ofAuto());
            assertClose(w, x, rows, cols, tokens, new MatMul(pool).apply(m, x, tokens));
        }
    }

    /** The serial kernel with input and output rows inside wider rows (as attention's per-head products use it). */
    @ParameterizedTest(name = "{0} tokens")
    @CsvSource({"5", "16", "35"})
    void stridedRowsMatchFloat64(int tokens) {
        int rows = 29;
        int cols = 45;
        int xOff = 7;
        int xStride = 60;
        int outOff = 3;
        int outStride = 40;
        Random rnd = new Random(tokens);
        float[] w = gaussian(rnd, rows * cols);
        float[] xs = gaussian(rnd, xOff + tokens * xStride);
        float[] out = new float[outOff + tokens * outStride];
        java.util.Arrays.fill(out, Float.NaN);
        WeightMatrix m = WeightMatrix.ofFloats("w", w, rows, cols, Arena.ofAuto());
        MatMul.rows(m, 2, rows, xs, xOff, xStride, tokens, out, outOff, outStride);
        float[] x = new float[tokens * cols];
        float[] y = new float[tokens * rows];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(xs, xOff + t * xStride, x, t * cols, cols);
            System.arraycopy(out, outOff + t * outStride, y, t * rows, rows);
            for (int r = 0; r < outStride; r++) {
                if (r < 2 || r >= rows) {
                    assertEquals(Float.NaN, out[outOff + t * outStride + r], "written outside rows [2, 29): t=" + t + " r=" + r);
                }
            }
            y[t * rows] = 0;
            y[t * rows + 1] = 0;
        }
        java.util.Arrays.fill(w, 0, 2 * cols, 0f); // rows 0 and 1 were not asked for
        assertClose(w, x, rows, cols, tokens, y);
    }

    /** Quantized weights (the dequantized group path) and the FFN's shared packing of gate and up. */
    @ParameterizedTest(name = "{0}, {1} tokens")
    @CsvSource({"Q8_0, 40", "Q4_K, 19", "Q6_K, 3"})
    void quantizedSwiGluMatchesFloat64(String typeName, int tokens) {
        GgmlType type = GgmlType.valueOf(typeName);
        int d = 256;
        int f = 37;
        Random rnd = new Random(tokens);
        Arena arena = Arena.ofAuto();
        WeightMatrix gate = quantized(type, "gate", gaussian(rnd, f * d), f, d, arena);
        WeightMatrix up = quantized(type, "up", gaussian(rnd, f * d), f, d, arena);
        WeightMatrix down = WeightMatrix.ofFloats("down", gaussian(rnd, d * f), d, f, arena);
        float[] x = gaussian(rnd, tokens * d);
        try (WorkerPool pool = new WorkerPool(2)) {
            float[] y = new SwiGlu(gate, up, down, new MatMul(pool)).forward(x, tokens);
            float[] wg = gate.toFloats();
            float[] wu = up.toFloats();
            float[] wd = down.toFloats();
            for (int t = 0; t < tokens; t++) {
                double[] h = new double[f];
                for (int r = 0; r < f; r++) {
                    double g = 0;
                    double u = 0;
                    for (int k = 0; k < d; k++) {
                        g += (double) wg[r * d + k] * x[t * d + k];
                        u += (double) wu[r * d + k] * x[t * d + k];
                    }
                    h[r] = g / (1 + Math.exp(-g)) * u;
                }
                for (int r = 0; r < d; r++) {
                    double ref = 0;
                    double mag = 0;
                    for (int k = 0; k < f; k++) {
                        ref += wd[r * f + k] * h[k];
                        mag += Math.abs(wd[r * f + k] * h[k]);
                    }
                    assertEquals(ref, y[t * d + r], 1e-5 * mag + 1e-6, "t=" + t + " r=" + r);
                }
            }
        }
    }

    private static WeightMatrix quantized(GgmlType type, String name, float[] w, int rows, int cols, Arena arena) {
        long rowBytes = type.bytesFor(cols);
        MemorySegment seg = arena.allocate(rowBytes * rows, 64);
        for (int r = 0; r < rows; r++) {
            Quantizer.of(type).quantize(w, r * cols, cols, seg, r * rowBytes);
        }
        return new WeightMatrix(name, type, seg, 0, rows, cols, rowBytes);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** {@code y[t][r]} against the float64 sum {@code Σ_k w[r][k]·x[t][k]}, to 1e-5 of {@code Σ_k |w[r][k]·x[t][k]|}. */
    private static void assertClose(float[] w, float[] x, int rows, int cols, int tokens, float[] y) {
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                double mag = 0;
                for (int k = 0; k < cols; k++) {
                    double p = (double) w[r * cols + k] * x[t * cols + k];
                    ref += p;
                    mag += Math.abs(p);
                }
                assertEquals(ref, y[t * rows + r], 1e-5 * mag + 1e-6, "t=" + t + " r=" + r);
            }
        }
    }

    @Test
    void rowSliceSelectsExpertRows() {
        float[] w = new float[6 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }
        WeightMatrix m = WeightMatrix.ofFloats("w", w, 6, 2, Arena.ofAuto());
        WeightMatrix s = m.rowSlice(2, 3);
        assertEquals(3, s.rows());
        assertEquals(4f * 1 + 5f * 1, s.dot(0, new float[] {1, 1}, 0));
        float[] row = new float[2];
        s.dequantizeRow(2, row, 0);
        assertEquals(8f, row[0]);
        assertEquals(9f, row[1]);
    }
}
