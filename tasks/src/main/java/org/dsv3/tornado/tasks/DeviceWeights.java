package org.dsv3.tornado.tasks;

import java.lang.foreign.MemorySegment;
import org.dsv3.tornado.kernels.Q8Split;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Host copies of tensors laid out for upload. A weight matrix goes up as its raw GGUF bytes, once:
 * an {@link IntArray} whose words are the file's bytes taken four at a time (no conversion, no
 * dequantization), with one spare word after the data for the kernels' unaligned reads.
 */
public final class DeviceWeights {
    /** Largest tensor the kernels address: byte offsets are {@code int}. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 64L;

    private DeviceWeights() {
    }

    /** The bytes of {@code data} as words (zero-padded to whole words, plus one spare word). */
    public static IntArray words(MemorySegment data) {
        long bytes = data.byteSize();
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds the device kernels' 2 GiB addressing");
        }
        IntArray a = new IntArray(Math.toIntExact((bytes + 3) / 4 + 1)); // native memory comes zeroed
        MemorySegment.copy(data, 0, a.getSegment(), 0, bytes);
        return a;
    }

    /**
     * Q8_0 rows rearranged for the device ({@code WeightType.Q8_0_SPLIT}): each row's 34-byte blocks
     * {@code [d_b | q_b]} become the row's quants, word-aligned (n even) and the words of neighbouring blocks
     * interleaved ({@link Q8Split}), then its scales {@code d_0 … d_{n−1}}: the same bits in the same row bytes.
     */
    public static IntArray q8_0SplitRows(MemorySegment data, long rows, int cols) {
        int blocks = cols / 32;
        long rowBytes = 34L * blocks;
        if (cols % 32 != 0 || blocks % 2 != 0 || rows * rowBytes != data.byteSize()) {
            throw new IllegalArgumentException("Q8_0 rows of " + cols + " values cannot be split (" + data.byteSize() + " bytes)");
        }
        if (data.byteSize() > MAX_BYTES) {
            throw new IllegalArgumentException("tensor of " + data.byteSize() + " bytes exceeds the device kernels' 2 GiB addressing");
        }
        IntArray a = new IntArray(Math.toIntExact((data.byteSize() + 3) / 4 + 1));
        MemorySegment out = a.getSegment();
        byte[] in = new byte[(int) rowBytes];
        byte[] row = new byte[(int) rowBytes];
        MemorySegment rowSegment = MemorySegment.ofArray(row);
        int lg = Q8Split.groupLog(blocks);
        for (long r = 0; r < rows; r++) {
            MemorySegment.copy(data, r * rowBytes, MemorySegment.ofArray(in), 0, rowBytes);
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j < 8; j++) {
                    System.arraycopy(in, 34 * b + 2 + 4 * j, row, 4 * Q8Split.word(lg, b, j), 4);
                }
                row[32 * blocks + 2 * b] = in[34 * b];
                row[32 * blocks + 2 * b + 1] = in[34 * b + 1];
            }
            MemorySegment.copy(rowSegment, 0, out, r * rowBytes, rowBytes);
        }
        return a;
    }

    /** A zeroed float buffer of {@code n} values. */
    public static FloatArray zeros(int n) {
        FloatArray a = new FloatArray(n);
        a.init(0f);
        return a;
    }

    /** A zeroed int buffer of {@code n} values. */
    public static IntArray intZeros(int n) {
        IntArray a = new IntArray(n);
        a.init(0);
        return a;
    }
}
