package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.LittleEndian;

/** BF16 rows: L 16-bit values widen to int lanes, shift into the top half, and are read as floats. */
final class BF16Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Short> S = Lanes.ACTIVE.s();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();

    private BF16Kernel() {
    }

    private static float scalar(MemorySegment seg, long at) {
        return Float.intBitsToFloat(LittleEndian.u16(seg, at) << 16);
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int step = F.length();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(S, seg, offset + 2L * i, Lanes.LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(S, seg, offset + 2L * (i + step), Lanes.LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a0 = w0.fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = w1.fma(FloatVector.fromArray(F, x, xOff + i + step), a1);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += scalar(seg, offset + 2L * i) * x[xOff + i];
        }
        return sum;
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            ((IntVector) ShortVector.fromMemorySegment(S, seg, offset + 2L * i, Lanes.LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = scalar(seg, offset + 2L * i);
        }
    }
}
