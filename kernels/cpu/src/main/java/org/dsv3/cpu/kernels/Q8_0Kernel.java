package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q8_0Format;

/**
 * Q8_0 (layout in {@link Q8_0Format}). The float dot widens L int8 quants at a time to L float
 * lanes. The integer dot ({@link #dotQ8}) multiplies them with 8-bit activation blocks
 * ({@link Q8Blocks}) in 16-bit lanes: 2L weight bytes widen to 2L shorts, times 2L activation
 * quants; since |q| ≤ 127 on the activation side and ≤ 128 on the weight side, a lane holds the sum
 * of two such products exactly (≤ 32,512). Read as L int lanes, lane i is {@code hi·2¹⁶ + lo} of
 * two neighbouring 16-bit sums; {@code (v >> 16) + (v << 16 >> 16)} adds them as signed ints (x86
 * has no single-instruction 16→32-bit pair sum the Vector API reaches; with L = 16, where a lane
 * holds one product, a multiply by 0x10001 and a shift do the same). The block's integer sum, in
 * L int lanes, converts to float once and takes the block's two scales in one fused multiply-add.
 */
final class Q8_0Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    /** 2L shorts, the float vector's size. */
    private static final VectorSpecies<Short> S2 = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize()));
    /** 2L bytes. */
    private static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int BYTES = Q8_0Format.BLOCK_BYTES;
    /**
     * With L = 16 a block's 32 products fill the 16-bit lanes once: a pair then sums to at most
     * 32,512, within 16 bits, and pairs up by the multiply-by-0x10001 step of {@link Q4_KKernel}.
     */
    private static final boolean ONE_PRODUCT_A_LANE = S2.length() == 32;

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

    /** Σ_i w[i]·(d·q)[xOff+i] with the activations as 8-bit blocks; {@code xOff} a multiple of 32. */
    static float dotQ8(MemorySegment seg, long offset, short[] xq, float[] xd, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q8_0, n);
        int step = S2.length();
        int xb = xOff / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            int xo = xOff + 32 * b;
            ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(B2, seg, blk + Q8_0Format.QS, Lanes.LE)
                    .convertShape(VectorOperators.B2S, S2, 0)).mul(ShortVector.fromArray(S2, xq, xo));
            for (int j = step; j < 32; j += step) {
                p = p.add(((ShortVector) ByteVector.fromMemorySegment(B2, seg, blk + Q8_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2S, S2, 0)).mul(ShortVector.fromArray(S2, xq, xo + j)));
            }
            IntVector v = p.reinterpretAsInts();
            IntVector s = ONE_PRODUCT_A_LANE
                    ? v.mul(0x10001).lanewise(VectorOperators.ASHR, 16)
                    : v.lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) s.convert(VectorOperators.I2F, 0)).fma(
                    FloatVector.broadcast(F, LittleEndian.f16(seg, blk) * xd[xb + b]), acc);
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
