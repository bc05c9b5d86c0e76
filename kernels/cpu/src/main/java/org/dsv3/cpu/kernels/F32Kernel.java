package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.LittleEndian;

/** F32 rows: little-endian floats read straight from the segment. */
final class F32Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();

    private F32Kernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int step = F.length();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            a0 = FloatVector.fromMemorySegment(F, seg, offset + 4L * i, Lanes.LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, seg, offset + 4L * (i + step), Lanes.LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + step), a1);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += LittleEndian.f32(seg, offset + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        MemorySegment.copy(seg, LittleEndian.FLOAT, offset, out, outOff, n);
    }
}
