package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q5_0Format;

/**
 * Q5_0 (layout in {@link Q5_0Format}): nibbles as in Q4_0; the fifth bits of the L values starting
 * at element j are bits j.. of the qh word, turned into a lane mask that adds 16 to q − 16.
 */
final class Q5_0Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final long LANE_BITS = (1L << Lanes.ACTIVE.length()) - 1;
    private static final int BYTES = Q5_0Format.BLOCK_BYTES;

    private Q5_0Kernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q5_0, n);
        int step = F.length();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            int qh = LittleEndian.i32(seg, blk + Q5_0Format.QH);
            int xo = xOff + 32 * b;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            for (int j = 0; j < 16; j += step) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q5_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                VectorMask<Integer> h0 = VectorMask.fromLong(I, (qh >>> j) & LANE_BITS);
                VectorMask<Integer> h1 = VectorMask.fromLong(I, (qh >>> (16 + j)) & LANE_BITS);
                FloatVector lo = (FloatVector) q.and(0x0F).sub(16).lanewise(VectorOperators.ADD, 16, h0)
                        .convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(16)
                        .lanewise(VectorOperators.ADD, 16, h1).convert(VectorOperators.I2F, 0);
                p0 = lo.fma(FloatVector.fromArray(F, x, xo + j), p0);
                p1 = hi.fma(FloatVector.fromArray(F, x, xo + 16 + j), p1);
            }
            acc = p0.add(p1).fma(FloatVector.broadcast(F, LittleEndian.f16(seg, blk)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q5_0, n);
        int step = F.length();
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            float d = LittleEndian.f16(seg, blk);
            int qh = LittleEndian.i32(seg, blk + Q5_0Format.QH);
            int o = outOff + 32 * b;
            for (int j = 0; j < 16; j += step) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q5_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                VectorMask<Integer> h0 = VectorMask.fromLong(I, (qh >>> j) & LANE_BITS);
                VectorMask<Integer> h1 = VectorMask.fromLong(I, (qh >>> (16 + j)) & LANE_BITS);
                ((FloatVector) q.and(0x0F).sub(16).lanewise(VectorOperators.ADD, 16, h0).convert(VectorOperators.I2F, 0))
                        .mul(d).intoArray(out, o + j);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(16).lanewise(VectorOperators.ADD, 16, h1)
                        .convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, o + 16 + j);
            }
        }
    }
}
