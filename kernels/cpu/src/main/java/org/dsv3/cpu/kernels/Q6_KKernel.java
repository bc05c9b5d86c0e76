package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Q6_KFormat;

/**
 * Q6_K (layout in {@link Q6_KFormat}). Within a half of 128 values, at position l, one load each
 * of a = ql[l], c = ql[32+l] and h = qh[l] gives the 6-bit quants of the four value groups
 * 32g + l: the nibble of a (g even) or c (g odd) at bit 4·(g/2), topped by bits 2g..2g+1 of h;
 * groups g and g+1 (g = 0, 2) share the nibble shift and are done together. Every run of L values
 * lies in one sub-block of 16, so it takes one factor k = d·scale (decoded per block by
 * {@link BlockFactors}). The dot forms the weights as fma(q, k, −32k), equal to k·(q − 32) up to
 * the sign of zero; the dequantization computes k·(q − 32), bit-exact with the scalar format.
 */
final class Q6_KKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final int BYTES = Q6_KFormat.BLOCK_BYTES;

    private Q6_KKernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q6_K, n);
        int step = F.length();
        float[] k = new float[16];
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.q6(seg, blk + Q6_KFormat.SCALES, blk + Q6_KFormat.D, k);
            for (int half = 0; half < 2; half++) {
                long ql = blk + Q6_KFormat.QL + 64 * half;
                long qh = blk + Q6_KFormat.QH + 32 * half;
                int xo = xOff + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + 32 + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, seg, qh + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    int s = 8 * half + (l >> 4);
                    for (int g = 0; g < 4; g += 2) {
                        IntVector qa = a.lanewise(VectorOperators.LSHR, 2 * g).and(0x0F)
                                .or(h.lanewise(VectorOperators.LSHR, 2 * g).and(3).lanewise(VectorOperators.LSHL, 4));
                        IntVector qc = c.lanewise(VectorOperators.LSHR, 2 * g).and(0x0F)
                                .or(h.lanewise(VectorOperators.LSHR, 2 * g + 2).and(3).lanewise(VectorOperators.LSHL, 4));
                        float ka = k[s + 2 * g];
                        float kc = k[s + 2 * g + 2];
                        FloatVector wa = ((FloatVector) qa.convert(VectorOperators.I2F, 0)).fma(ka, -32f * ka);
                        FloatVector wc = ((FloatVector) qc.convert(VectorOperators.I2F, 0)).fma(kc, -32f * kc);
                        acc0 = wa.fma(FloatVector.fromArray(F, x, xo + 32 * g + l), acc0);
                        acc1 = wc.fma(FloatVector.fromArray(F, x, xo + 32 * g + 32 + l), acc1);
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q6_K, n);
        int step = F.length();
        float[] k = new float[16];
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.q6(seg, blk + Q6_KFormat.SCALES, blk + Q6_KFormat.D, k);
            for (int half = 0; half < 2; half++) {
                long ql = blk + Q6_KFormat.QL + 64 * half;
                long qh = blk + Q6_KFormat.QH + 32 * half;
                int o = outOff + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + 32 + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, seg, qh + l, Lanes.LE)
                            .convertShape(VectorOperators.B2I, I, 0);
                    int s = 8 * half + (l >> 4);
                    for (int g = 0; g < 4; g += 2) {
                        IntVector qa = a.lanewise(VectorOperators.LSHR, 2 * g).and(0x0F)
                                .or(h.lanewise(VectorOperators.LSHR, 2 * g).and(3).lanewise(VectorOperators.LSHL, 4));
                        IntVector qc = c.lanewise(VectorOperators.LSHR, 2 * g).and(0x0F)
                                .or(h.lanewise(VectorOperators.LSHR, 2 * g + 2).and(3).lanewise(VectorOperators.LSHL, 4));
                        ((FloatVector) qa.sub(32).convert(VectorOperators.I2F, 0)).mul(k[s + 2 * g]).intoArray(out, o + 32 * g + l);
                        ((FloatVector) qc.sub(32).convert(VectorOperators.I2F, 0)).mul(k[s + 2 * g + 2])
                                .intoArray(out, o + 32 * g + 32 + l);
                    }
                }
            }
        }
    }
}
