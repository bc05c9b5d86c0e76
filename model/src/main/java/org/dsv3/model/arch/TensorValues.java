package org.dsv3.model.arch;

import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.quant.BlockFormat;

/**
 * A tensor's values as float32, decoded by the scalar reference formats ({@link BlockFormat}). For the
 * few small tensors a backend needs as plain floats at load (norm gains, selection biases, a legacy
 * {@code kv_b}); the weight matrices stay in their stored form.
 */
public final class TensorValues {
    /** Largest tensor read this way: these are vectors and one small matrix per layer. */
    private static final long MAX_VALUES = 1L << 28;

    private TensorValues() {
    }

    /** Every value of {@code t}, row after row. */
    public static float[] floats(GgufTensor t) {
        long n = t.elementCount();
        if (n > MAX_VALUES) {
            throw new IllegalArgumentException(t.name() + ": " + n + " values is too many to decode onto the heap");
        }
        int cols = Math.toIntExact(t.rowLength());
        int rows = Math.toIntExact(t.rowCount());
        long rowBytes = t.rowBytes();
        BlockFormat format = BlockFormat.of(t.type());
        float[] out = new float[Math.toIntExact(n)];
        for (int r = 0; r < rows; r++) {
            format.dequantize(t.data(), r * rowBytes, out, r * cols, cols);
        }
        return out;
    }
}
