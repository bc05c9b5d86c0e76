package org.dsv3.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The run decoding of the batched products' weight tiles ({@link BlockRun}), run as plain Java, against the
 * model's dequantizers ({@link BlockFormat}, which every reference-logit test reads the files with), value
 * by value over random blocks, in the file layout and in the device's split Q8_0 layout.
 */
class BlockRunTest {
    private static final int ROWS = 3;
    private static final int COLS = 768;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void everyValueOfARunIsTheDequantizedOne(GgmlType type) {
        long rowBytes = type.bytesFor(COLS);
        MemorySegment w = MemorySegment.ofArray(new byte[Math.toIntExact(ROWS * rowBytes)]);
        Random rnd = new Random(type.id());
        for (int r = 0; r < ROWS; r++) {
            RandomBlocks.fill(type, rnd, w, r * rowBytes, COLS);
        }
        check(type, w, words(w), type.id(), (int) rowBytes);
        if (type == GgmlType.Q8_0) {
            check(type, w, split(w, COLS / 32), WeightType.Q8_0_SPLIT, (int) rowBytes);
        }
    }

    @Test
    void theOtherTypesAreReadValueByValue() {
        assertTrue(BlockRun.isRun(WeightType.Q8_0_SPLIT));
        for (int t : new int[] {WeightType.F32, WeightType.F16, WeightType.BF16, WeightType.Q2_K, WeightType.Q3_K,
                WeightType.IQ4_NL, WeightType.IQ4_XS, WeightType.IQ2_XXS, WeightType.IQ1_S}) {
            assertFalse(BlockRun.isRun(t), "type " + t);
        }
    }

    private static void check(GgmlType type, MemorySegment w, IntArray words, int deviceType, int rowBytes) {
        BlockFormat f = BlockFormat.of(type);
        float[] want = new float[COLS];
        for (int r = 0; r < ROWS; r++) {
            f.dequantize(w, (long) r * rowBytes, want, 0, COLS);
            int row = r * rowBytes;
            for (int k = 0; k < COLS; k += BlockRun.LENGTH) {
                float scale = BlockRun.scale(deviceType, words, row, COLS, k);
                float offset = BlockRun.offset(deviceType, words, row, COLS, k);
                for (int u = 0; u < BlockRun.LENGTH; u += 4) {
                    int quads = BlockRun.quads(deviceType, words, row, COLS, k + u);
                    for (int b = 0; b < 4; b++) {
                        int i = k + u + b;
                        float got = scale * RawBytes.byteOf(quads, b) + offset;
                        // the dequantizer rounds the product once; the run adds an exact product and an exact
                        // offset, one more rounding: at most one unit in the last place of the value
                        assertEquals(want[i], got, Math.ulp(want[i]) + 1e-30f,
                                type + (deviceType == WeightType.Q8_0_SPLIT ? " split" : "") + " row " + r + " value " + i);
                    }
                }
            }
        }
    }

    private static IntArray words(MemorySegment data) {
        IntArray a = new IntArray(Math.toIntExact((data.byteSize() + 3) / 4 + 1));
        MemorySegment.copy(data, 0, a.getSegment(), 0, data.byteSize());
        return a;
    }

    /**
     * The device's split Q8_0 rows (see {@link WeightType#Q8_0_SPLIT}), written out from the layout's definition: a
     * row's quant words, word j of block b at {@code (b / 8)·64 + 8j + b mod 8} (the blocks here a multiple of 8),
     * then its 2-byte scales.
     */
    private static IntArray split(MemorySegment data, int blocks) {
        assertEquals(0, blocks % 8);
        byte[] in = data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] out = new byte[in.length];
        int rowBytes = 34 * blocks;
        for (int r = 0; r < in.length / rowBytes; r++) {
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j < 8; j++) {
                    int word = (b / 8) * 64 + 8 * j + b % 8;
                    System.arraycopy(in, r * rowBytes + 34 * b + 2 + 4 * j, out, r * rowBytes + 4 * word, 4);
                }
                out[r * rowBytes + 32 * blocks + 2 * b] = in[r * rowBytes + 34 * b];
                out[r * rowBytes + 32 * blocks + 2 * b + 1] = in[r * rowBytes + 34 * b + 1];
            }
        }
        return words(MemorySegment.ofArray(out));
    }
}
