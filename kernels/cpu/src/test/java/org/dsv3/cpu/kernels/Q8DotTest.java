package org.dsv3.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q5_0Format;
import org.dsv3.model.quant.Q6_KFormat;
import org.dsv3.model.quant.Q8_0Format;
import org.dsv3.model.quant.RandomBlocks;
import org.junit.jupiter.api.Test;

/**
 * The integer dot products against the definition: for weight blocks (d_w, q_w) and activation
 * blocks (d_x, q_x), Σ_blocks d_w·d_x·Σ q_w·q_x, evaluated in double with the integer inner sums
 * exact. The kernel sums the block terms in float32, so it may differ by the rounding of that sum.
 */
class Q8DotTest {
    private static final double TOL = 1e-5;

    @Test
    void roundingFollowsGgmlsQ8_0Rule() {
        float[] x = new float[64];
        for (int i = 0; i < 32; i++) {
            x[i] = i - 16.5f;            // max |x| = 16.5 → d = 16.5/127, values land on ±(k + 1/2)·127/16.5 …
        }
        x[40] = 127f;                     // second block: d = 1, so q = round(x) exactly
        x[41] = -2.5f;                    // halves go away from zero
        x[42] = 2.5f;
        x[43] = 0.49f;
        Q8Blocks b = Q8Blocks.of(x, 0, 64, 1, 64);
        assertEquals(16.5f / 127f, b.scale(0));
        assertEquals(-127, b.quant(0));   // −16.5 is the block's extreme
        assertEquals(1f, b.scale(1));
        assertEquals(127, b.quant(40));
        assertEquals(-3, b.quant(41));
        assertEquals(3, b.quant(42));
        assertEquals(0, b.quant(43));
        for (int i = 0; i < 32; i++) {
            assertTrue(Math.abs(b.value(i) - x[i]) <= b.scale(0) / 2 * 1.0001f, "value " + i);
        }
        Q8Blocks zero = Q8Blocks.of(new float[32], 0, 32, 1, 32);
        assertEquals(0f, zero.scale(0));
        assertEquals(0, zero.quant(5));
    }

    @Test
    void stridedRowsAreQuantizedIndependently() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = VectorDotRandomTest.randomX(rnd, 3 * 100);
        Q8Blocks b = Q8Blocks.of(x, 4, 100, 3, 64);
        for (int t = 0; t < 3; t++) {
            Q8Blocks one = Q8Blocks.of(x, 4 + 100 * t, 0, 1, 64);
            for (int i = 0; i < 64; i++) {
                assertEquals(one.quant(i), b.quant(64 * t + i));
            }
            assertEquals(one.scale(1), b.scale(2 * t + 1));
        }
    }

    @Test
    void q8_0AgainstTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(11);
        GgmlType t = GgmlType.Q8_0;
        for (int n : new int[] {32, 64, 96, 2048, 7168}) {
            MemorySegment heap = RandomBlocks.row(t, rnd, 32 + n);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = arena.allocate(heap.byteSize(), 64).copyFrom(heap).asReadOnly();
                float[] x = VectorDotRandomTest.randomX(rnd, 2 * n);
                Q8Blocks qx = Q8Blocks.of(x, 0, n, 2, n);
                for (int row = 0; row < 2; row++) {
                    double expected = 0;
                    double magnitude = 0;
                    for (int b = 0; b < n / 32; b++) {
                        long blk = t.bytesFor(32) + (long) b * Q8_0Format.BLOCK_BYTES;
                        long sum = 0;
                        long abs = 0;
                        for (int j = 0; j < 32; j++) {
                            int p = LittleEndian.i8(seg, blk + Q8_0Format.QS + j) * qx.quant(row * n + 32 * b + j);
                            sum += p;
                            abs += Math.abs(p);
                        }
                        double scale = (double) LittleEndian.f16(seg, blk) * qx.scale(row * n / 32 + b);
                        expected += scale * sum;
                        magnitude += Math.abs(scale) * abs;
                    }
                    float actual = VectorDot.dotQ8(t, seg, t.bytesFor(32), qx, row * n, n);
                    assertTrue(Math.abs(actual - expected) <= TOL * magnitude + 1e-30,
                            "n=" + n + " row " + row + ": " + actual + " vs " + expected + " (Σ|terms| " + magnitude + ")");
                }
            }
        }
    }

    /**
     * Q4_K and Q6_K: the integer dot against Σ_i w_i·(d_x·q_x)_i in double, w the weights as the
     * scalar format dequantizes them (random quant bits, so every scale, min and quant value occurs).
     */
    @Test
    void kQuantsAgainstTheDequantizedWeights() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            assertTrue(VectorDot.hasQ8Dot(t), t.toString());
            for (int n : new int[] {256, 512, 2048, 7168}) {
                MemorySegment heap = RandomBlocks.row(t, rnd, 256 + n);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment seg = arena.allocate(heap.byteSize(), 64).copyFrom(heap).asReadOnly();
                    float[] w = new float[n];
                    BlockFormat.of(t).dequantize(seg, t.bytesFor(256), w, 0, n);
                    float[] x = VectorDotRandomTest.randomX(rnd, 2 * n);
                    Q8Blocks qx = Q8Blocks.of(x, 0, n, 2, n);
                    for (int row = 0; row < 2; row++) {
                        double expected = 0;
                        double magnitude = 0;
                        for (int i = 0; i < n; i++) {
                            double term = (double) w[i] * qx.value(row * n + i);
                            expected += term;
                            magnitude += Math.abs(term);
                        }
                        float actual = VectorDot.dotQ8(t, seg, t.bytesFor(256), qx, row * n, n);
                        assertTrue(Math.abs(actual - expected) <= TOL * magnitude + 1e-30,
                                t + " n=" + n + " row " + row + ": " + actual + " vs " + expected + " (Σ|terms| " + magnitude + ")");
                    }
                }
            }
        }
    }

    /**
     * {@link VectorDot#dotQ8Rows} for every type with an integer dot: each of 5 rows against
     * Σ_i w_i·(d_x·q_x)_i in double (w as the scalar format dequantizes the row), with the
     * activations taken from their second block-row; the slots around the range stay untouched.
     */
    @Test
    void rowRangesAgainstTheDequantizedWeights() {
        SplittableRandom rnd = new SplittableRandom(29);
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q6_K}) {
            assertTrue(VectorDot.hasQ8Dot(t), t.toString());
            int n = 512;
            int rows = 5;
            long rowBytes = t.bytesFor(n);
            MemorySegment heap = RandomBlocks.row(t, rnd, rows * n);
            float[] x = VectorDotRandomTest.randomX(rnd, 2 * n);
            Q8Blocks qx = Q8Blocks.of(x, 0, n, 2, n);
            float[] out = new float[rows + 2];
            java.util.Arrays.fill(out, -7f);
            VectorDot.dotQ8Rows(t, heap, 0, rowBytes, rows, qx, n, n, out, 1);
            assertEquals(-7f, out[0]);
            assertEquals(-7f, out[rows + 1]);
            for (int r = 0; r < rows; r++) {
                float[] w = new float[n];
                BlockFormat.of(t).dequantize(heap, r * rowBytes, w, 0, n);
                double expected = 0;
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    double term = (double) w[i] * qx.value(n + i);
                    expected += term;
                    magnitude += Math.abs(term);
                }
                assertTrue(Math.abs(out[1 + r] - expected) <= TOL * magnitude + 1e-30,
                        t + " row " + r + ": " + out[1 + r] + " vs " + expected + " (Σ|terms| " + magnitude + ")");
            }
        }
    }

    /**
     * Q5_0: the integer dot against Σ_i w_i·(d_x·q_x)_i in double, w the weights as the scalar
     * format dequantizes them; random blocks (every quant value occurs) with some blocks set to the
     * edges: every fifth bit clear (q − 16 ∈ [−16, −1]) or set, every quant 0 (−16, the largest
     * magnitude), scale negative or zero; rows starting at odd byte offsets and at a later block of
     * the activations.
     */
    @Test
    void q5_0AgainstTheDequantizedWeights() {
        SplittableRandom rnd = new SplittableRandom(23);
        GgmlType t = GgmlType.Q5_0;
        assertTrue(VectorDot.hasQ8Dot(t));
        for (int n : new int[] {32, 64, 96, 1408, 2048}) {
            for (long start : new long[] {0, 1, 7, 3 * Q5_0Format.BLOCK_BYTES}) {
                MemorySegment heap = MemorySegment.ofArray(new byte[(int) (start + t.bytesFor(n))]);
                RandomBlocks.fill(t, rnd, heap, start, n);
                for (int b = 0; b < n / 32; b++) {
                    long blk = start + (long) b * Q5_0Format.BLOCK_BYTES;
                    switch (b % 6) {
                        case 1 -> LittleEndian.putU8(heap, blk + Q5_0Format.QH, 0);          // (partly) clear fifth bits
                        case 2 -> {                                                          // all clear, all quants 0: −16·d
                            for (int i = 0; i < 4; i++) {
                                LittleEndian.putU8(heap, blk + Q5_0Format.QH + i, 0);
                            }
                            for (int i = 0; i < 16; i++) {
                                LittleEndian.putU8(heap, blk + Q5_0Format.QS + i, 0);
                            }
                        }
                        case 3 -> {                                                          // all fifth bits set
                            for (int i = 0; i < 4; i++) {
                                LittleEndian.putU8(heap, blk + Q5_0Format.QH + i, 0xFF);
                            }
                        }
                        case 4 -> LittleEndian.putF16(heap, blk, 0f);
                        case 5 -> LittleEndian.putF16(heap, blk, -Math.abs(LittleEndian.f16(heap, blk)) - 0.01f);
                        default -> { }
                    }
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment seg = arena.allocate(heap.byteSize(), 64).copyFrom(heap).asReadOnly();
                    float[] w = new float[n];
                    BlockFormat.of(t).dequantize(seg, start, w, 0, n);
                    float[] x = VectorDotRandomTest.randomX(rnd, 3 * n);
                    Q8Blocks qx = Q8Blocks.of(x, 0, n, 3, n);
                    for (int row = 0; row < 3; row++) {
                        double expected = 0;
                        double magnitude = 0;
                        for (int i = 0; i < n; i++) {
                            double term = (double) w[i] * qx.value(row * n + i);
                            expected += term;
                            magnitude += Math.abs(term);
                        }
                        float actual = VectorDot.dotQ8(t, seg, start, qx, row * n, n);
                        assertTrue(Math.abs(actual - expected) <= TOL * magnitude + 1e-30,
                                "n=" + n + " at " + start + " row " + row + ": " + actual + " vs " + expected
                                        + " (Σ|terms| " + magnitude + ")");
                    }
                }
            }
        }
    }

    /**
     * Q5_0's largest lanes: every quant 0 (q − 16 = −16) against −127 activations, two blocks of
     * d = 1 and d = −2: every product at its bound, so the 16-bit lane sums are at theirs, and the
     * integer sums are exact (32·16·127 per block).
     */
    @Test
    void extremeQ5_0QuantsStayInTheirLanes() {
        int n = 64;
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) GgmlType.Q5_0.bytesFor(n)]);
        LittleEndian.putF16(seg, 0, 1f);
        LittleEndian.putF16(seg, Q5_0Format.BLOCK_BYTES, -2f);
        float[] x = new float[n];
        java.util.Arrays.fill(x, -127f);
        Q8Blocks minus = Q8Blocks.of(x, 0, n, 1, n);
        assertEquals(32 * 16 * 127f, VectorDot.dotQ8(GgmlType.Q5_0, seg, 0, minus, 0, 32));
        assertEquals(32 * 16 * 127f - 2 * 32 * 16 * 127f, VectorDot.dotQ8(GgmlType.Q5_0, seg, 0, minus, 0, n));
        // every quant 31 (q − 16 = 15) against +127
        for (int b = 0; b < 2; b++) {
            for (int i = Q5_0Format.QH; i < Q5_0Format.BLOCK_BYTES; i++) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) b * Q5_0Format.BLOCK_BYTES + i, (byte) 0xFF);
            }
        }
        java.util.Arrays.fill(x, 127f);
        Q8Blocks plus = Q8Blocks.of(x, 0, n, 1, n);
        assertEquals(32 * 15 * 127f - 2 * 32 * 15 * 127f, VectorDot.dotQ8(GgmlType.Q5_0, seg, 0, plus, 0, n));
    }

    /** The block sums the Q4_K mins are taken against: d·Σq of each block, row by row. */
    @Test
    void blockSumsAreTheSumsOfTheRoundedValues() {
        float[] x = VectorDotRandomTest.randomX(new SplittableRandom(5), 2 * 96);
        Q8Blocks b = Q8Blocks.of(x, 0, 96, 2, 96);
        for (int blk = 0; blk < 6; blk++) {
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                sum += b.quant(32 * blk + j);
            }
            assertEquals(b.scale(blk) * sum, b.sum(blk));
        }
    }

    /**
     * The largest lane values: Q4_K with every nibble 15, scale and min 63, against +127
     * activations; Q6_K with every quant 0 (q − 32 = −32) against −127 and every quant 63 against
     * +127. The pair multiply's leftover term (see {@code Q4_KKernel.dotQ8}) is all of one sign
     * here, so these stay within its bound instead of being exact.
     */
    @Test
    void extremeKQuantsStayInTheirLanes() {
        int n = 256;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 127f);
        Q8Blocks plus = Q8Blocks.of(x, 0, n, 1, n);
        MemorySegment q4 = MemorySegment.ofArray(new byte[(int) GgmlType.Q4_K.bytesFor(n)]);
        LittleEndian.putF16(q4, 0, 1f);
        LittleEndian.putF16(q4, 2, 1f);
        for (int i = 4; i < q4.byteSize(); i++) {
            q4.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 0xFF);
        }
        float[] w = new float[n];
        BlockFormat.of(GgmlType.Q4_K).dequantize(q4, 0, w, 0, n);
        assertEquals(15 * 63 - 63, w[0]);
        // the pair multiply leaves w[2i]·x[2i+1]/2¹⁶ per pair (Q4_KKernel.dotQ8): here all of one sign, at its bound
        float q4Dot = VectorDot.dotQ8(GgmlType.Q4_K, q4, 0, plus, 0, n);
        double leftover = n / 2 * (15.0 * 63) * 127 / 65536;
        assertTrue(Math.abs(q4Dot - n * (15 * 63 - 63) * 127.0) <= leftover * 1.001 + 1e-6 * n * 882 * 127,
                q4Dot + " vs " + n * (15 * 63 - 63) * 127.0);
        java.util.Arrays.fill(x, -127f);
        Q8Blocks minus = Q8Blocks.of(x, 0, n, 1, n);
        MemorySegment q6 = MemorySegment.ofArray(new byte[(int) GgmlType.Q6_K.bytesFor(n)]);
        for (int i = 0; i < 16; i++) {
            q6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Q6_KFormat.SCALES + i, (byte) 127);
        }
        LittleEndian.putF16(q6, Q6_KFormat.D, 1f);
        BlockFormat.of(GgmlType.Q6_K).dequantize(q6, 0, w, 0, n);
        assertEquals(-32 * 127, w[0]);
        assertEquals(n * 32 * 127 * 127f, VectorDot.dotQ8(GgmlType.Q6_K, q6, 0, minus, 0, n));
        // every quant 63 (q − 32 = 31) against +127: the largest pair products, 2·63·127·2¹⁶ < 2³¹
        for (int i = 0; i < Q6_KFormat.SCALES; i++) {
            q6.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 0xFF);
        }
        BlockFormat.of(GgmlType.Q6_K).dequantize(q6, 0, w, 0, n);
        assertEquals(31 * 127, w[0]);
        float q6Dot = VectorDot.dotQ8(GgmlType.Q6_K, q6, 0, plus, 0, n);
        double q6Leftover = n / 2 * (63.0 * 127) * 127 / 65536;
        assertTrue(Math.abs(q6Dot - n * 31 * 127 * 127.0) <= q6Leftover * 1.001 + 1e-6 * n * 31 * 127 * 127,
                q6Dot + " vs " + n * 31 * 127 * 127.0);
    }

    /** The extreme products: −128 weights (allowed by the format) times ±127 activations, 32 of them in a block. */
    @Test
    void extremeQuantsDoNotOverflowTheShortLanes() {
        GgmlType t = GgmlType.Q8_0;
        MemorySegment seg = MemorySegment.ofArray(new byte[Q8_0Format.BLOCK_BYTES * 2]);
        float[] x = new float[64];
        for (int b = 0; b < 2; b++) {
            LittleEndian.putF16(seg, (long) b * Q8_0Format.BLOCK_BYTES, 1f);
            for (int j = 0; j < 32; j++) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) b * Q8_0Format.BLOCK_BYTES + Q8_0Format.QS + j, (byte) -128);
                x[32 * b + j] = b == 0 ? -127f : 127f;
            }
        }
        Q8Blocks qx = Q8Blocks.of(x, 0, 64, 1, 64);
        assertEquals(32 * 128 * 127f, VectorDot.dotQ8(t, seg, 0, qx, 0, 32));
        assertEquals(-32 * 128 * 127f, VectorDot.dotQ8(t, seg, Q8_0Format.BLOCK_BYTES, qx, 32, 32));
        assertEquals(0f, VectorDot.dotQ8(t, seg, 0, qx, 0, 64));
    }

    @Test
    void typesWithoutAnIntegerKernelAreRefused() {
        assertTrue(VectorDot.hasQ8Dot(GgmlType.Q8_0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorDot.dotQ8(GgmlType.IQ2_XXS,
                MemorySegment.ofArray(new byte[66]), 0, Q8Blocks.of(new float[256], 0, 256, 1, 256), 0, 256));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Q8Blocks.of(new float[40], 0, 40, 1, 40));
    }
}
