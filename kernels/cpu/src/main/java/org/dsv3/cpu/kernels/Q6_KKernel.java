package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q6_KFormat;

/**
 * Q6_K (layout in {@link Q6_KFormat}). Within a half of 128 values, at position l, one load each
 * of a = ql[l], c = ql[32+l] and h = qh[l] gives the 6-bit quants of the four value groups
 * 32g + l: the nibble of a (g even) or c (g odd) at bit 4·(g/2), topped by bits 2g..2g+1 of h.
 * Every run of L values lies in one sub-block of 16, so it takes one factor k = d·scale. The dot
 * forms the weights as fma(q, k, −32k), which equals k·(q − 32) up to the sign of zero; the
 * dequantization computes k·(q − 32) itself, to stay bit-exact with the scalar format. The
 * factors are decoded once per block by scalar code (see {@link Q4_KKernel} for why the code
 * keeps few Vector API call sites).
 */
final class Q6_KKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final int BYTES = Q6_KFormat.BLOCK_BYTES;

    private Q6_KKernel() {
    }

    /** k[i] = d·scale_i and k[16+i] = −32·k[i] for the 16 sub-blocks of the block at {@code blk}. */
    private static void factors(MemorySegment seg, long blk, float[] k) {
        float d = LittleEndian.f16(seg, blk + Q6_KFormat.D);
        long s0 = seg.get(LittleEndian.LONG, blk + Q6_KFormat.SCALES);
        long s1 = seg.get(LittleEndian.LONG, blk + Q6_KFormat.SCALES + 8);
        for (int i = 0; i < 8; i++) {
            k[i] = d * (byte) (s0 >>> (8 * i));
            k[8 + i] = d * (byte) (s1 >>> (8 * i));
        }
        for (int i = 0; i < 16; i++) {
            k[16 + i] = -32f * k[i];
        }
    }

    /** 6-bit quants: the nibble of {@code lowBits} at {@code nibbleShift} (0 or 4), topped by bits {@code highShift}.. of {@code h}. */
    private static IntVector group(IntVector lowBits, IntVector h, int nibbleShift, int highShift) {
        return lowBits.lanewise(VectorOperators.LSHR, nibbleShift).and(0x0F)
                .or(h.lanewise(VectorOperators.LSHR, highShift).and(3).lanewise(VectorOperators.LSHL, 4));
    }

    /** The weights of one group for the dot: fma(q, k[s], k[16+s]). */
    private static FloatVector weights(IntVector q, float[] k, int s) {
        return Widen.floats(q).fma(FloatVector.broadcast(F, k[s]), FloatVector.broadcast(F, k[16 + s]));
    }

    /** The exact values of one group: k[s]·(q − 32). */
    private static FloatVector values(IntVector q, float[] k, int s) {
        return Widen.floats(q.sub(32)).mul(k[s]);
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q6_K, n);
        int step = F.length();
        float[] k = new float[32];
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            factors(seg, blk, k);
            for (int half = 0; half < 2; half++) {
                long ql = blk + Q6_KFormat.QL + 64 * half;
                long qh = blk + Q6_KFormat.QH + 32 * half;
                int xo = xOff + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    IntVector a = Widen.bytes(seg, ql + l);
                    IntVector c = Widen.bytes(seg, ql + 32 + l);
                    IntVector h = Widen.bytes(seg, qh + l);
                    int s = 8 * half + (l >> 4);
                    for (int g = 0; g < 4; g += 2) {
                        acc0 = weights(group(a, h, 2 * g, 2 * g), k, s + 2 * g).fma(FloatVector.fromArray(F, x, xo + 32 * g + l), acc0);
                        acc1 = weights(group(c, h, 2 * g, 2 * g + 2), k, s + 2 * g + 2)
                                .fma(FloatVector.fromArray(F, x, xo + 32 * g + 32 + l), acc1);
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q6_K, n);
        int step = F.length();
        float[] k = new float[32];
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            factors(seg, blk, k);
            for (int half = 0; half < 2; half++) {
                long ql = blk + Q6_KFormat.QL + 64 * half;
                long qh = blk + Q6_KFormat.QH + 32 * half;
                int o = outOff + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    IntVector a = Widen.bytes(seg, ql + l);
                    IntVector c = Widen.bytes(seg, ql + 32 + l);
                    IntVector h = Widen.bytes(seg, qh + l);
                    int s = 8 * half + (l >> 4);
                    for (int g = 0; g < 4; g += 2) {
                        values(group(a, h, 2 * g, 2 * g), k, s + 2 * g).intoArray(out, o + 32 * g + l);
                        values(group(c, h, 2 * g, 2 * g + 2), k, s + 2 * g + 2).intoArray(out, o + 32 * g + 32 + l);
                    }
                }
            }
        }
    }
}
