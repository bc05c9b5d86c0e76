package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q4_0Format;

/**
 * Q4_0 (layout in {@link Q4_0Format}): L bytes of qs, widened to int lanes, give L values from
 * their low nibbles (elements j..) and L from their high nibbles (elements 16+j..); q − 8 is
 * formed in int lanes.
 */
final class Q4_0Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final int BYTES = Q4_0Format.BLOCK_BYTES;

    private Q4_0Kernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q4_0, n);
        int step = F.length();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            int xo = xOff + 32 * b;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            for (int j = 0; j < 16; j += step) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q4_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                FloatVector lo = (FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
                p0 = lo.fma(FloatVector.fromArray(F, x, xo + j), p0);
                p1 = hi.fma(FloatVector.fromArray(F, x, xo + 16 + j), p1);
            }
            acc = p0.add(p1).fma(FloatVector.broadcast(F, LittleEndian.f16(seg, blk)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q4_0, n);
        int step = F.length();
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            float d = LittleEndian.f16(seg, blk);
            int o = outOff + 32 * b;
            for (int j = 0; j < 16; j += step) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q4_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                ((FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, o + j);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(8).convert(VectorOperators.I2F, 0))
                        .mul(d).intoArray(out, o + 16 + j);
            }
        }
    }
}
