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
import org.dsv3.model.quant.Q4_KFormat;

/**
 * Q4_K (layout in {@link Q4_KFormat}): each 32-byte chunk c of qs holds sub-block 2c in its low
 * nibbles and 2c+1 in its high nibbles. The block's 16 factors (d·scale, dmin·min) are decoded
 * once by {@link BlockFactors}; the vector loop then forms w = q·(d·scale) − dmin·min lane-wise
 * (fused in the dot; multiply-then-subtract in the dequantization, as the scalar format rounds).
 *
 * <p>The integer dot ({@link #dotQ8}) takes the activations as 8-bit blocks of 32 ({@link Q8Blocks}:
 * scale δ_j, quants x_i, and δ_j·Σx_i), one per sub-block, and splits each sub-block's term as
 * <pre>
 *   Σ_i (k_j·q_i − m_j)·δ_j·x_i = k_j·δ_j·Σ_i q_i·x_i − m_j·(δ_j·Σ_i x_i)
 * </pre>
 * (k_j = d·scale_j, m_j = dmin·min_j). The nibbles widen to 16-bit lanes and multiply the 16-bit
 * activation quants there (|q·x| ≤ 15·127, at most two of them summed per lane). A 16-bit vector
 * read as 32-bit lanes holds {@code hi·2¹⁶ + lo} of two neighbouring sums; times 0x10001 the upper
 * half of each lane is {@code hi + lo} (the lower half adds nothing to it, there being no carry),
 * so one multiply and one arithmetic shift pair them up as long as the pair fits 16 bits (here
 * ≤ 7,620). The sub-block's pair sums then convert to float and take k_j·δ_j in one multiply-add;
 * the min terms of a block are 8 lanes, one fused multiply-add per block.
 */
final class Q4_KKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    /** 2L shorts, the float vector's size. */
    private static final VectorSpecies<Short> S2 = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize()));
    /** 2L bytes. */
    private static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** The 8 sub-blocks of a block. */
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
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

    /**
     * Σ_i w[i]·(δ·x)[xOff+i] with the activations as 8-bit blocks ({@code xq} quants, {@code xd}
     * scales, {@code xs} block sums δ·Σx); {@code xOff} a multiple of 32.
     */
    static float dotQ8(MemorySegment seg, long offset, short[] xq, float[] xd, float[] xs, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q4_K, n);
        int step = S2.length();
        int xb = xOff / 32;
        float[] k = new float[16];
        FloatVector acc = FloatVector.zero(F);
        FloatVector mins = FloatVector.zero(F8);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.kQuant(seg, blk, k);
            int sb = xb + 8 * b;
            mins = FloatVector.fromArray(F8, k, 8).fma(FloatVector.fromArray(F8, xs, sb), mins);
            for (int c = 0; c < 4; c++) {
                long qs = blk + Q4_KFormat.QS + 32 * c;
                int xo = xOff + 256 * b + 64 * c;
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs, Lanes.LE)
                        .convertShape(VectorOperators.B2S, S2, 0);
                ShortVector lo = q.and((short) 0x0F).mul(ShortVector.fromArray(S2, xq, xo));
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S2, xq, xo + 32));
                for (int l = step; l < 32; l += step) {
                    q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + l, Lanes.LE)
                            .convertShape(VectorOperators.B2S, S2, 0);
                    lo = lo.add(q.and((short) 0x0F).mul(ShortVector.fromArray(S2, xq, xo + l)));
                    hi = hi.add(q.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S2, xq, xo + 32 + l)));
                }
                IntVector pl = lo.reinterpretAsInts().mul(0x10001).lanewise(VectorOperators.ASHR, 16);
                IntVector ph = hi.reinterpretAsInts().mul(0x10001).lanewise(VectorOperators.ASHR, 16);
                acc = ((FloatVector) pl.convert(VectorOperators.I2F, 0)).fma(
                        FloatVector.broadcast(F, k[2 * c] * xd[sb + 2 * c]), acc);
                acc = ((FloatVector) ph.convert(VectorOperators.I2F, 0)).fma(
                        FloatVector.broadcast(F, k[2 * c + 1] * xd[sb + 2 * c + 1]), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins.reduceLanes(VectorOperators.ADD);
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
