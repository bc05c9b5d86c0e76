package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.cpu.kernels.Q8Blocks;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** The comparison of a device's 8-bit quants with the CPU engine's {@link Q8Blocks}, shared by the kernel tests. */
final class Int8Quants {
    private Int8Quants() {
    }

    /**
     * Quants {@code 0 … n} of {@code cpu} (rounded from {@code values}) against the device's, packed four to a word in
     * {@code q} from value {@code from}: equal, or one apart where the value sits within {@code tieWindow} of a
     * rounding tie (where the last bits of a scale decide).
     */
    static void assertSame(Q8Blocks cpu, float[] values, IntArray q, int from, int n, double tieWindow) {
        for (int i = 0; i < n; i++) {
            int quant = (byte) (q.get((from + i) / 4) >> (8 * ((from + i) & 3)));
            if (quant != cpu.quant(i)) {
                double v = Math.abs(values[i] / (double) cpu.scale(i / 32));
                double fromTie = Math.abs(v - Math.floor(v) - 0.5);
                assertTrue(fromTie < tieWindow && Math.abs(quant - cpu.quant(i)) == 1,
                        "quant " + i + ": " + quant + ", the CPU engine's " + cpu.quant(i) + " (value/scale " + v + ")");
            }
        }
    }
}
