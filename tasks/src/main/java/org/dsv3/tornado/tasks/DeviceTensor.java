package org.dsv3.tornado.tasks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.tornado.kernels.WeightType;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * A weight matrix as the kernels see it: its raw bytes ({@link DeviceWeights#words}), its ggml type id
 * and its shape ({@code rows} rows of {@code cols} values; stacked experts are rows too).
 */
record DeviceTensor(String name, IntArray words, int type, int rows, int cols) {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Q8_0 matrices go up as {@link WeightType#Q8_0_SPLIT} (see {@link DeviceWeights#q8_0SplitRows}) unless
     * {@code -Ddsv3.tornado.splitQ8=false}: on the H200 the aligned quants are cheaper to read.
     */
    private static final boolean SPLIT_Q8 = !"false".equalsIgnoreCase(System.getProperty("dsv3.tornado.splitQ8"));

    /**
     * A weight matrix for the matrix–vector kernels: its bytes as stored in the file (behind their grid for
     * the i-quants, see {@link DeviceGrids}), or for Q8_0 with an even number of blocks per row the same
     * bits in the split-row layout.
     */
    static DeviceTensor of(GgufTensor t) {
        check(t.name(), t.type().id(), t.rowLength());
        int type = t.type().id();
        if (SPLIT_Q8 && type == WeightType.Q8_0 && t.rowLength() / 32 % 2 == 0) {
            return new DeviceTensor(t.name(), DeviceWeights.q8_0SplitRows(t.data(), t.rowCount(), Math.toIntExact(t.rowLength())),
                    WeightType.Q8_0_SPLIT, Math.toIntExact(t.rowCount()), Math.toIntExact(t.rowLength()));
        }
        return asStored(t);
    }

    /** The tensor's bytes as stored in the file, unchanged (behind their grid for the i-quants, see {@link DeviceGrids}). */
    static DeviceTensor asStored(GgufTensor t) {
        check(t.name(), t.type().id(), t.rowLength());
        int type = t.type().id();
        IntArray words = WeightType.isGrid(type) ? DeviceGrids.words(type, t.data()) : DeviceWeights.words(t.data());
        return new DeviceTensor(t.name(), words, type,
                Math.toIntExact(t.rowCount()), Math.toIntExact(t.rowLength()));
    }

    /** A float32 matrix built at load time (the split of a legacy {@code attn_kv_b}), as its bytes. */
    static DeviceTensor ofFloats(String name, float[] values, int rows, int cols) {
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + rows + "×" + cols);
        }
        MemorySegment bytes = MemorySegment.ofArray(new byte[4 * values.length]);
        MemorySegment.copy(values, 0, bytes, F32_LE, 0, values.length);
        return new DeviceTensor(name, DeviceWeights.words(bytes), WeightType.F32, rows, cols);
    }

    private static void check(String name, int type, long cols) {
        if (!WeightType.isSupported(type)) {
            throw new IllegalArgumentException(name + ": ggml type id " + type + " is not read by the TornadoVM kernels");
        }
        if ((type == WeightType.F16 || type == WeightType.BF16) && cols % 2 != 0) {
            throw new IllegalArgumentException(name + ": 16-bit rows of odd length " + cols + " are not supported");
        }
    }

    long bytes() {
        return (long) rows * WeightType.rowBytes(type, cols);
    }
}
