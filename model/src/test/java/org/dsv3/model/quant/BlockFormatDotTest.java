package org.dsv3.model.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.dsv3.model.TestData;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link BlockFormat#dot} agrees with dequantize + multiply, on random blocks and on real tensors. */
class BlockFormatDotTest {
    static final double TOL = 1e-5;

    static List<GgmlType> supported() {
        return Arrays.stream(GgmlType.values()).filter(GgmlType::isSupported).toList();
    }

    static float[] randomVector(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("supported")
    void randomBlocks(GgmlType t) {
        SplittableRandom rnd = new SplittableRandom(t.id() * 7919L + 1);
        BlockFormat f = BlockFormat.of(t);
        assertEquals(t, f.type());
        for (int blocks : new int[] {1, 2, 3, 8, 17}) {
            int n = blocks * Math.max(t.blockSize(), 32);
            MemorySegment row = RandomBlocks.row(t, rnd, n + t.blockSize());
            float[] x = randomVector(rnd, n + 5);
            // at a non-zero block offset and a non-zero x offset too
            DotCheck.assertDot(t + " n=" + n, f.dot(row, 0, x, 0, n), f, row, 0, x, 0, n, TOL);
            long second = t.bytesFor(t.blockSize());
            DotCheck.assertDot(t + " n=" + n + " shifted", f.dot(row, second, x, 5, n), f, row, second, x, 5, n, TOL);
        }
    }

    static List<QuantSample> samples() {
        return QuantSample.everything();
    }

    /** The 2048 sampled values of llama.cpp-written blocks, as one row and as rows of 256. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void llamaCppBlocks(QuantSample s) {
        BlockFormat f = BlockFormat.of(s.type());
        MemorySegment blocks = s.blocks();
        float[] x = randomVector(new SplittableRandom(42), s.count());
        DotCheck.assertDot(s + " whole", f.dot(blocks, 0, x, 0, s.count()), f, blocks, 0, x, 0, s.count(), TOL);
        for (int r = 0; r < s.count() / 256; r++) {
            long off = s.type().bytesFor(256L * r);
            DotCheck.assertDot(s + " row " + r, f.dot(blocks, off, x, 256 * r, 256), f, blocks, off, x, 256 * r, 256, TOL);
        }
    }

    /** Every row of each sampled tensor, plus the BF16 and F32 tensors of the BF16 model. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void wholeTensors(QuantSample s) {
        TestData.requireFull("dot over whole GGUF tensors");
        try (GgufModel model = GgufModel.open(TestData.require(s.modelPath()))) {
            checkRows(model.tensor(s.tensor()));
        }
    }

    @Test
    void bf16AndF32Tensors() {
        TestData.requireFull("dot over BF16/F32 GGUF tensors");
        try (GgufModel model = GgufModel.open(TestData.require("models/tiny-v3.bf16.gguf"))) {
            checkRows(model.tensor("blk.0.attn_output.weight"));
            GgufTensor f32 = model.tensors().values().stream().filter(t -> t.type() == GgmlType.F32).findFirst().orElseThrow();
            checkRows(f32);
            assertEquals(GgmlType.BF16, model.tensor("blk.0.attn_output.weight").type());
        }
    }

    private static void checkRows(GgufTensor t) {
        BlockFormat f = BlockFormat.of(t.type());
        int n = Math.toIntExact(t.rowLength());
        float[] x = randomVector(new SplittableRandom(t.name().hashCode()), n);
        for (long r = 0; r < t.rowCount(); r++) {
            long off = r * t.rowBytes();
            DotCheck.assertDot(t + " row " + r, f.dot(t.data(), off, x, 0, n), f, t.data(), off, x, 0, n, TOL);
        }
    }

    @Test
    void unsupportedTypesAreNamed() {
        for (GgmlType t : GgmlType.values()) {
            if (!t.isSupported()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockFormat.of(t));
                assertTrue(e.getMessage().contains(t.name()), e.getMessage());
            }
        }
    }

    @Test
    void partialBlocksAreRejected() {
        MemorySegment row = RandomBlocks.row(GgmlType.Q4_K, new SplittableRandom(1), 256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockFormat.of(GgmlType.Q4_K).dot(row, 0, new float[256], 0, 200));
        assertTrue(e.getMessage().contains("Q4_K"), e.getMessage());
    }
}
