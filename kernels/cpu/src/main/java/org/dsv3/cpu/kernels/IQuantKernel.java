package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GridFormat;

/**
 * The lattice i-quants (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S): each block is first
 * decoded by its {@link GridFormat} into 256 signed bytes (grid points with their signs, eight at a
 * time from packed table words) and 16 factors; the vector loop then widens L bytes to L float lanes
 * and multiplies with the activations, one factor per 16 values. Dequantization is
 * {@code factor · q} lane-wise, the same float product as the scalar format.
 */
final class IQuantKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final int VALUES = GridFormat.BLOCK_VALUES;
    private static final int GROUP = GridFormat.GROUP;

    private IQuantKernel() {
    }

    static float dot(GridFormat format, MemorySegment seg, long offset, float[] x, int xOff, int n) {
        return dot(format, seg, offset, x, xOff, n, new byte[VALUES], new float[VALUES / GROUP]);
    }

    /** {@link #dot} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}, one set of scratch arrays for all. */
    static void dotRows(GridFormat format, MemorySegment seg, long offset, long rowBytes, int rows, float[] x, int xOff,
                        int n, float[] out, int outOff) {
        byte[] q = new byte[VALUES];
        float[] factor = new float[VALUES / GROUP];
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dot(format, seg, offset + r * rowBytes, x, xOff, n, q, factor);
        }
    }

    /** {@link #dot} with {@code q} (256 bytes) and {@code factor} (16 floats) as the decoded block's scratch. */
    private static float dot(GridFormat format, MemorySegment seg, long offset, float[] x, int xOff, int n,
                             byte[] q, float[] factor) {
        int nb = BlockFormat.blocks(format.type(), n);
        int step = F.length();
        int blockBytes = format.type().typeSize();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            format.decode(seg, offset + (long) b * blockBytes, q, factor);
            int xo = xOff + VALUES * b;
            for (int g = 0; g < VALUES / GROUP; g++) {
                FloatVector p = FloatVector.zero(F);
                for (int l = 0; l < GROUP; l += step) {
                    int i = GROUP * g + l;
                    FloatVector w = (FloatVector) ByteVector.fromArray(B, q, i).convertShape(VectorOperators.B2F, F, 0);
                    p = w.fma(FloatVector.fromArray(F, x, xo + i), p);
                }
                acc = p.fma(FloatVector.broadcast(F, factor[g]), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(GridFormat format, MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(format.type(), n);
        int step = F.length();
        int blockBytes = format.type().typeSize();
        byte[] q = new byte[VALUES];
        float[] factor = new float[VALUES / GROUP];
        for (int b = 0; b < nb; b++) {
            format.decode(seg, offset + (long) b * blockBytes, q, factor);
            int o = outOff + VALUES * b;
            for (int g = 0; g < VALUES / GROUP; g++) {
                float f = factor[g];
                for (int l = 0; l < GROUP; l += step) {
                    int i = GROUP * g + l;
                    ((FloatVector) ByteVector.fromArray(B, q, i).convertShape(VectorOperators.B2F, F, 0)).mul(f)
                            .intoArray(out, o + i);
                }
            }
        }
    }
}
