package org.dsv3.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.dsv3.cpu.kernels.Q8Blocks;
import org.dsv3.cpu.kernels.VectorDot;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.quant.GgmlType;

/**
 * A row-major matrix of {@code rows × cols} weights in their stored (possibly quantized) form, read in
 * place: usually a slice of the memory-mapped GGUF file. Row {@code r} multiplies an input vector of
 * length {@code cols} into output element {@code r} ({@code y = W·x}, docs/architecture.md §0.2).
 */
public record WeightMatrix(String name, GgmlType type, MemorySegment data, long offset, int rows, int cols, long rowBytes) {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The whole tensor as a matrix: rows of {@code dims[0]} elements, every further dimension stacked. */
    public static WeightMatrix of(GgufTensor t) {
        return new WeightMatrix(t.name(), t.type(), t.data(), 0, Math.toIntExact(t.rowCount()),
                Math.toIntExact(t.rowLength()), t.rowBytes());
    }

    /** Float32 weights copied into native memory of {@code arena} (for the few matrices built at load time). */
    public static WeightMatrix ofFloats(String name, float[] values, int rows, int cols, Arena arena) {
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + rows + "×" + cols);
        }
        MemorySegment seg = arena.allocate(4L * values.length, 64);
        MemorySegment.copy(values, 0, seg, F32, 0, values.length);
        return new WeightMatrix(name, GgmlType.F32, seg, 0, rows, cols, 4L * cols);
    }

    /** Rows {@code first … first+count-1} as a matrix of their own (one expert, one head). */
    public WeightMatrix rowSlice(int first, int count) {
        if (first < 0 || count < 0 || first + count > rows) {
            throw new IndexOutOfBoundsException(name + ": rows " + first + "+" + count + " of " + rows);
        }
        return new WeightMatrix(name, type, data, offset + first * rowBytes, count, cols, rowBytes);
    }

    /** Dot product of row {@code row} with {@code x[xOff … xOff+cols)}. */
    public float dot(int row, float[] x, int xOff) {
        return VectorDot.dot(type, data, offset + row * rowBytes, x, xOff, cols);
    }

    /** {@code out[outOff + r] = W[r] · x[xOff …]} for rows {@code r ∈ [from, to)} (one kernel call for the range). */
    public void dotRows(int from, int to, float[] x, int xOff, float[] out, int outOff) {
        VectorDot.dotRows(type, data, offset + from * rowBytes, rowBytes, to - from, x, xOff, cols, out, outOff + from);
    }

    /** {@code out[outOff + r] =} {@link #dotQ8} of row {@code r}, for rows {@code r ∈ [from, to)}. */
    public void dotQ8Rows(int from, int to, Q8Blocks x, int xOff, float[] out, int outOff) {
        VectorDot.dotQ8Rows(type, data, offset + from * rowBytes, rowBytes, to - from, x, xOff, cols, out, outOff + from);
    }

    /** Dot product of row {@code row} with the 8-bit activation blocks of {@code x} from value {@code xOff}. */
    public float dotQ8(int row, Q8Blocks x, int xOff) {
        return VectorDot.dotQ8(type, data, offset + row * rowBytes, x, xOff, cols);
    }

    /** Whether this matrix has an integer dot product with 8-bit activation blocks on this machine. */
    public boolean hasQ8Dot() {
        return VectorDot.hasQ8Dot(type);
    }

    /** Writes row {@code row} as floats into {@code out[outOff …]}. */
    public void dequantizeRow(int row, float[] out, int outOff) {
        VectorDot.dequantizeRow(type, data, offset + row * rowBytes, out, outOff, cols);
    }

    /** The whole matrix as floats (only for small matrices and tests). */
    public float[] toFloats() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }
}
