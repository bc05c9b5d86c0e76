package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Q4_KFormat;

/**
 * Q4_K (layout in {@link Q4_KFormat}): each 32-byte chunk c of qs holds sub-block 2c in its low
 * nibbles and 2c+1 in its high nibbles. The block's 16 factors (d·scale, dmin·min) are decoded
 * once by {@link BlockFactors}; the vector loop then forms w = q·(d·scale) − dmin·min lane-wise
 * (fused in the dot; multiply-then-subtract in the dequantization, as the scalar format rounds).
 */
final class Q4_KKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final int BYTES = Q4_KFormat.BLOCK_BYTES;

    private Q4_KKernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q4_K, n);
        int step = F.length();
        float[] k = new float[16];
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
                long qs = blk + Q4_KFormat.QS + 32 * c;
                int xo = xOff + 256 * b + 64 * c;
                for (int l = 0; l < 32; l += step) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    FloatVector w0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(d0, m0);
                    FloatVector w1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F)
                            .convert(VectorOperators.I2F, 0)).fma(d1, m1);
                    acc0 = w0.fma(FloatVector.fromArray(F, x, xo + l), acc0);
                    acc1 = w1.fma(FloatVector.fromArray(F, x, xo + 32 + l), acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q4_K, n);
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
                long qs = blk + Q4_KFormat.QS + 32 * c;
                int o = outOff + 256 * b + 64 * c;
                for (int l = 0; l < 32; l += step) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(d0).sub(m0).intoArray(out, o + l);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).convert(VectorOperators.I2F, 0))
                            .mul(d1).sub(m1).intoArray(out, o + 32 + l);
                }
            }
        }
    }
}
