package org.dsv3.tornado.tasks;

import org.dsv3.cpu.WeightMatrix;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.tornado.kernels.WeightType;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * A weight matrix as the kernels see it: its raw bytes ({@link DeviceWeights#words}), its ggml type id
 * and its shape ({@code rows} rows of {@code cols} values; stacked experts are rows too).
 */
record DeviceTensor(String name, IntArray words, int type, int rows, int cols) {

    /** The tensor's bytes as stored in the file, unchanged (behind their grid for the i-quants, see {@link DeviceGrids}). */
    static DeviceTensor of(GgufTensor t) {
        check(t.name(), t.type().id(), t.rowLength());
        int type = t.type().id();
        IntArray words = WeightType.isGrid(type) ? DeviceGrids.words(type, t.data()) : DeviceWeights.words(t.data());
        return new DeviceTensor(t.name(), words, type,
                Math.toIntExact(t.rowCount()), Math.toIntExact(t.rowLength()));
    }

    /** A matrix built at load time (the split of a legacy {@code attn_kv_b}), as its stored bytes. */
    static DeviceTensor of(WeightMatrix m) {
        check(m.name(), m.type().id(), m.cols());
        long bytes = m.rows() * m.rowBytes();
        return new DeviceTensor(m.name(), DeviceWeights.words(m.data().asSlice(m.offset(), bytes)), m.type().id(),
                m.rows(), m.cols());
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
