package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Q5_KFormat;

/**
 * Q5_K (layout in {@link Q5_KFormat}): nibbles as in Q4_K; the fifth bit of element l of sub-block
 * j is bit j of qh[l]. For chunk c, qh shifted right by 2c holds sub-block 2c's bit at bit 0 and
 * 2c+1's at bit 1; both are moved to bit 4. Factors and rounding as in {@link Q4_KKernel}.
 */
final class Q5_KKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final int BYTES = Q5_KFormat.BLOCK_BYTES;

    private Q5_KKernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        return dot(seg, offset, x, xOff, n, new float[16]);
    }

    /** {@link #dot} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}, one scratch array for all. */
    static void dotRows(MemorySegment seg, long offset, long rowBytes, int rows, float[] x, int xOff, int n,
                        float[] out, int outOff) {
        float[] k = new float[16];
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dot(seg, offset + r * rowBytes, x, xOff, n, k);
        }
    }

    /** {@link #dot} with {@code k} (16 floats) as the block factors' scratch. */
    private static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n, float[] k) {
        int nb = BlockFormat.blocks(GgmlType.Q5_K, n);
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.kQuant(seg, blk, k);
            for (int c = 0; c < 4; c++) {
                FloatVector d0 = FloatVector.broadcast(F, k[2 * c]);
                FloatVector m0 = FloatVector.broadcast(F, -k[8 + 2 * c]);
                FloatVector d1 = FloatVector.broadcast(F, k[2 * c + 1]);
                FloatVector m1 = FloatVector.broadcast(F, -k[9 + 2 * c]);
                long qs = blk + Q5_KFormat.QS + 32 * c;
                int xo = xOff + 256 * b + 64 * c;
                for (int l = 0; l < 32; l += step) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector h = ((IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q5_KFormat.QH + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0)).lanewise(VectorOperators.LSHR, 2 * c);
                    IntVector q0 = q.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and(0x10));
                    IntVector q1 = q.lanewise(VectorOperators.LSHR, 4).and(0x0F).or(h.lanewise(VectorOperators.LSHL, 3).and(0x10));
                    FloatVector w0 = ((FloatVector) q0.convert(VectorOperators.I2F, 0)).fma(d0, m0);
                    FloatVector w1 = ((FloatVector) q1.convert(VectorOperators.I2F, 0)).fma(d1, m1);
                    acc0 = w0.fma(FloatVector.fromArray(F, x, xo + l), acc0);
                    acc1 = w1.fma(FloatVector.fromArray(F, x, xo + 32 + l), acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q5_K, n);
        int step = F.length();
        float[] k = new float[16];
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.kQuant(seg, blk, k);
            for (int c = 0; c < 4; c++) {
                float d0 = k[2 * c];
                float m0 = k[8 + 2 * c];
                float d1 = k[2 * c + 1];
                float m1 = k[9 + 2 * c];
                long qs = blk + Q5_KFormat.QS + 32 * c;
                int o = outOff + 256 * b + 64 * c;
                for (int l = 0; l < 32; l += step) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector h = ((IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q5_KFormat.QH + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0)).lanewise(VectorOperators.LSHR, 2 * c);
                    IntVector q0 = q.and(0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and(0x10));
                    IntVector q1 = q.lanewise(VectorOperators.LSHR, 4).and(0x0F).or(h.lanewise(VectorOperators.LSHL, 3).and(0x10));
                    ((FloatVector) q0.convert(VectorOperators.I2F, 0)).mul(d0).sub(m0).intoArray(out, o + l);
                    ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(d1).sub(m1).intoArray(out, o + 32 + l);
                }
            }
        }
    }
}
