package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q8_0Format;

/** Q8_0 (layout in {@link Q8_0Format}): L int8 quants at a time widen to L float lanes. */
final class Q8_0Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final int BYTES = Q8_0Format.BLOCK_BYTES;

    private Q8_0Kernel() {
    }

    private static FloatVector quants(MemorySegment seg, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, seg, at, Lanes.LE)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q8_0, n);
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int b = 0;
        // two blocks per iteration, into independent accumulators
        for (; b + 1 < nb; b += 2) {
            long blk = offset + (long) b * BYTES;
            int xo = xOff + 32 * b;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            for (int j = 0; j < 32; j += step) {
                p0 = quants(seg, blk + Q8_0Format.QS + j).fma(FloatVector.fromArray(F, x, xo + j), p0);
                p1 = quants(seg, blk + BYTES + Q8_0Format.QS + j).fma(FloatVector.fromArray(F, x, xo + 32 + j), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, LittleEndian.f16(seg, blk)), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, LittleEndian.f16(seg, blk + BYTES)), acc1);
        }
        if (b < nb) {
            long blk = offset + (long) b * BYTES;
            int xo = xOff + 32 * b;
            FloatVector p0 = FloatVector.zero(F);
            for (int j = 0; j < 32; j += step) {
                p0 = quants(seg, blk + Q8_0Format.QS + j).fma(FloatVector.fromArray(F, x, xo + j), p0);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, LittleEndian.f16(seg, blk)), acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q8_0, n);
        int step = F.length();
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            float d = LittleEndian.f16(seg, blk);
            for (int j = 0; j < 32; j += step) {
                quants(seg, blk + Q8_0Format.QS + j).mul(d).intoArray(out, outOff + 32 * b + j);
            }
        }
    }
}
