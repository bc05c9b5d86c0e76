package org.dsv3.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.RandomBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Vector kernels against the scalar formats on random, well-formed blocks of every type. */
class VectorDotRandomTest {
    static final Set<GgmlType> VECTORISED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ1_S, GgmlType.IQ1_M,
            GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ2_S, GgmlType.IQ3_XXS, GgmlType.IQ3_S);

    static List<GgmlType> supported() {
        return Arrays.stream(GgmlType.values()).filter(GgmlType::isSupported).toList();
    }

    /** Value counts: one block, a few, an odd number, a typical row; plus ragged ones for 1-value "blocks". */
    static int[] counts(GgmlType t) {
        int bs = t.blockSize();
        if (bs == 1) {
            return new int[] {1, 7, 8, 15, 16, 33, 100, 256, 2048, 7168};
        }
        return new int[] {bs, 2 * bs, 3 * bs, 7 * bs, 2048, 7168};
    }

    static float[] randomX(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** The public entry points against the scalar formats, on heap and read-only off-heap segments. */
    @ParameterizedTest
    @MethodSource("supported")
    void againstScalarFormats(GgmlType t) {
        SplittableRandom rnd = new SplittableRandom(t.id() * 31L + VectorDot.laneCount());
        for (boolean offHeap : new boolean[] {false, true}) {
            for (int n : counts(t)) {
                int lead = t.blockSize(); // start one block into the segment, and 3 floats into x / out
                MemorySegment heap = RandomBlocks.row(t, rnd, lead + n);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment seg = offHeap ? arena.allocate(heap.byteSize(), 64).copyFrom(heap).asReadOnly() : heap;
                    long off = t.bytesFor(lead);
                    float[] x = randomX(rnd, n + 3);
                    String tag = t + " n=" + n + (offHeap ? " off-heap" : " heap") + " lanes=" + VectorDot.laneCount();
                    KernelCheck.assertDot(tag, VectorDot.dot(t, seg, off, x, 3, n), t, seg, off, x, 3, n);
                    float[] out = new float[n + 3];
                    VectorDot.dequantizeRow(t, seg, off, out, 3, n);
                    KernelCheck.assertDequantized(tag, out, 3, t, seg, off, n);
                }
            }
        }
        assertEquals(VECTORISED.contains(t) && VectorDot.laneCount() > 0, VectorDot.isVectorised(t));
    }

    /**
     * {@link VectorDot#dotRows}: every row of a 5-row matrix (rows one block apart plus a byte, so
     * they start at odd offsets where the type allows) against the scalar format's dot of that row,
     * written to its own slot of {@code out} and nothing else.
     */
    @ParameterizedTest
    @MethodSource("supported")
    void rowRangesAgainstScalarFormats(GgmlType t) {
        SplittableRandom rnd = new SplittableRandom(t.id() * 57L + VectorDot.laneCount());
        int n = t.blockSize() == 1 ? 100 : 2 * t.blockSize();
        int rows = 5;
        long rowBytes = t.bytesFor(n) + 1;
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) (rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            MemorySegment row = RandomBlocks.row(t, rnd, n);
            seg.asSlice(r * rowBytes, row.byteSize()).copyFrom(row);
        }
        float[] x = randomX(rnd, n + 3);
        float[] out = new float[rows + 4];
        Arrays.fill(out, -7f);
        VectorDot.dotRows(t, seg, 0, rowBytes, rows, x, 3, n, out, 2);
        assertEquals(-7f, out[0]);
        assertEquals(-7f, out[1]);
        assertEquals(-7f, out[rows + 3]);
        for (int r = 0; r < rows; r++) {
            KernelCheck.assertDot(t + " row " + r + " of " + rows, out[2 + r], t, seg, r * rowBytes, x, 3, n);
        }
    }

    @Test
    void unsupportedTypesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorDot.dot(GgmlType.TQ1_0, MemorySegment.ofArray(new byte[54]), 0, new float[256], 0, 256));
        assertTrue(e.getMessage().contains("TQ1_0"), e.getMessage());
    }

    @Test
    void vectorWidthIsTheOneAskedFor() {
        String forced = System.getProperty(Lanes.PROPERTY, "");
        if (!forced.isBlank()) {
            assertEquals(Integer.parseInt(forced) / 32, VectorDot.laneCount());
        } else {
            // the build machines have at least AVX2: the fast paths must be active
            assertTrue(VectorDot.laneCount() == 8 || VectorDot.laneCount() == 16, "lanes " + VectorDot.laneCount());
        }
    }
}
