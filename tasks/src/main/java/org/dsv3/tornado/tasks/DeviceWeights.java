package org.dsv3.tornado.tasks;

import java.lang.foreign.MemorySegment;
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
