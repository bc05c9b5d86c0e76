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

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q8_0, n);
        int step = F.length();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            int xo = xOff + 32 * b;
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < 32; j += step) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(B, seg, blk + Q8_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                p = q.fma(FloatVector.fromArray(F, x, xo + j), p);
            }
            acc = p.fma(FloatVector.broadcast(F, LittleEndian.f16(seg, blk)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q8_0, n);
        int step = F.length();
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            float d = LittleEndian.f16(seg, blk);
            for (int j = 0; j < 32; j += step) {
                ((FloatVector) ByteVector.fromMemorySegment(B, seg, blk + Q8_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, outOff + 32 * b + j);
            }
        }
    }
}
