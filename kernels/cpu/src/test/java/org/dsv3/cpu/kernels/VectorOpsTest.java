package org.dsv3.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorOpsTest {
    static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    @Test
    void dotMatchesDoubleSum() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {0, 1, 5, 16, 17, 63, 64, 65, 1000, 7168}) {
            float[] a = random(rnd, n + 2);
            float[] b = random(rnd, n + 5);
            double exact = 0;
            double mag = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[2 + i] * b[5 + i];
                mag += Math.abs((double) a[2 + i] * b[5 + i]);
            }
            float got = VectorOps.dot(a, 2, b, 5, n);
            assertTrue(Math.abs(got - exact) <= 1e-5 * mag + 1e-30, "n=" + n + ": " + got + " vs " + exact);
        }
    }

    @Test
    void axpyIsElementwiseFma() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int n : new int[] {0, 1, 7, 16, 33, 1000}) {
            float[] x = random(rnd, n + 1);
            float[] y = random(rnd, n + 3);
            float[] want = y.clone();
            for (int i = 0; i < n; i++) {
                want[3 + i] = Math.fma(0.375f, x[1 + i], y[3 + i]);
            }
            VectorOps.axpy(0.375f, x, 1, y, 3, n);
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(y[i]), "n=" + n + " i=" + i);
            }
        }
    }
}
