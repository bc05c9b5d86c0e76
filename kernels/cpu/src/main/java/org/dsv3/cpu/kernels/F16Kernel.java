package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.LittleEndian;

/**
 * F16 rows, widened exactly in int lanes (the Vector API has no half-float conversion). With
 * h = |half| bits: normal values are {@code (h << 13) + (112 << 23)} (exponent rebias 15 → 127),
 * subnormals {@code h · 2^-24} computed as an exact int→float product, infinities and NaNs
 * {@code (h << 13) | 0x7F800000}; the sign bit moves from bit 15 to bit 31.
 */
final class F16Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Short> S = Lanes.ACTIVE.s();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();

    private F16Kernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int step = F.length();
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + step <= n; i += step) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, offset + 2L * i, Lanes.LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector mag = h.and(0x7FFF);
            IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
            IntVector bits = shifted.add(112 << 23).blend(shifted.or(0x7F800000), mag.compare(VectorOperators.GE, 0x7C00));
            VectorMask<Integer> subnormal = mag.compare(VectorOperators.LT, 0x0400);
            if (subnormal.anyTrue()) {
                bits = bits.blend(((FloatVector) mag.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), subnormal);
            }
            FloatVector w = bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            acc = w.fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += LittleEndian.f16(seg, offset + 2L * i) * x[xOff + i];
        }
        return sum;
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, offset + 2L * i, Lanes.LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector mag = h.and(0x7FFF);
            IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
            IntVector bits = shifted.add(112 << 23).blend(shifted.or(0x7F800000), mag.compare(VectorOperators.GE, 0x7C00));
            VectorMask<Integer> subnormal = mag.compare(VectorOperators.LT, 0x0400);
            if (subnormal.anyTrue()) {
                bits = bits.blend(((FloatVector) mag.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), subnormal);
            }
            bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = LittleEndian.f16(seg, offset + 2L * i);
        }
    }
}
