package org.dsv3.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Int8Dot}'s Java semantics, which the device kernels compile: the byte-product dot against the dot of the
 * four signed bytes taken with Java's own byte casts (the contract of PTX's {@code dp4a.s32.s32} too), and the
 * rounding against the rounding written with doubles, halves away from zero, as the CPU engine's {@code Q8Blocks}.
 */
class Int8DotTest {

    @Test
    void dot4IsTheSumOfSignedByteProducts() {
        Random rnd = new Random(3);
        for (int t = 0; t < 100_000; t++) {
            int a = rnd.nextInt();
            int b = t < 4 ? 0x80808080 : rnd.nextInt(); // -128 bytes too
            int acc = rnd.nextInt(1 << 20) - (1 << 19);
            int expected = acc;
            for (int k = 0; k < 4; k++) {
                expected += (byte) (a >> (8 * k)) * (byte) (b >> (8 * k));
            }
            assertEquals(expected, Int8Dot.dot4(a, b, acc));
        }
    }

    @Test
    void quantRoundsHalvesAwayFromZeroAndClamps() {
        assertEquals(3, Int8Dot.quant(2.5f));
        assertEquals(-3, Int8Dot.quant(-2.5f));
        assertEquals(2, Int8Dot.quant(2.4999998f));
        assertEquals(0, Int8Dot.quant(0.49999997f)); // adding 0.5 in float would round this up to 1
        assertEquals(127, Int8Dot.quant(127.4f));
        assertEquals(127, Int8Dot.quant(300f));
        assertEquals(-127, Int8Dot.quant(-128f));
        Random rnd = new Random(5);
        for (int t = 0; t < 100_000; t++) {
            float v = (float) (rnd.nextGaussian() * 60);
            long expected = Math.clamp((long) (v + Math.copySign(0.5, v)), -127, 127);
            assertEquals(expected, Int8Dot.quant(v), "quant(" + v + ")");
        }
    }

    @Test
    void packPutsTheLowByteInPlace() {
        int w = Int8Dot.pack(-1, 0) | Int8Dot.pack(5, 1) | Int8Dot.pack(-128, 2) | Int8Dot.pack(127, 3);
        assertEquals(0x7F8005FF, w);
    }
}
