package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.util.Random;
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
