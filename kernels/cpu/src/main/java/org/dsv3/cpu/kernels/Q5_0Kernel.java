package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
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
 * at element j are bits j.. of the qh word, turned into a lane mask that adds 16.
 */
final class Q5_0Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final long LANE_BITS = (1L << Lanes.ACTIVE.length()) - 1;
    private static final int BYTES = Q5_0Format.BLOCK_BYTES;

    private Q5_0Kernel() {
    }

    /** Quants q − 16 from 4-bit {@code nibbles} and fifth bits in the low L bits of {@code bits}. */
    private static FloatVector quants(IntVector nibbles, int bits) {
        VectorMask<Integer> high = VectorMask.fromLong(I, bits & LANE_BITS);
        return Widen.floats(nibbles.sub(16).lanewise(VectorOperators.ADD, 16, high));
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
                IntVector q = Widen.bytes(seg, blk + Q5_0Format.QS + j);
                p0 = quants(q.and(0x0F), qh >>> j).fma(FloatVector.fromArray(F, x, xo + j), p0);
                p1 = quants(q.lanewise(VectorOperators.LSHR, 4).and(0x0F), qh >>> (16 + j))
                        .fma(FloatVector.fromArray(F, x, xo + 16 + j), p1);
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
                IntVector q = Widen.bytes(seg, blk + Q5_0Format.QS + j);
                quants(q.and(0x0F), qh >>> j).mul(d).intoArray(out, o + j);
                quants(q.lanewise(VectorOperators.LSHR, 4).and(0x0F), qh >>> (16 + j)).mul(d).intoArray(out, o + 16 + j);
            }
        }
    }
}
