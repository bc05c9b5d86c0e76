package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
 *
 * <p>The integer dot ({@link #dotQ8}) does the same unpacking on 2L bytes at a time in 16-bit
 * lanes (zero-extended, so that a high nibble is one shift) and multiplies the unsigned 6-bit q
 * with the activations' 8-bit quants ({@link Q8Blocks}), two neighbouring lanes at a time with one
 * 32-bit multiply by the activations' quant pairs, as described in {@link Q4_KKernel#dotQ8}
 * (|S| ≤ 2·63·127, so a lane fits 31 bits; the leftover term is at most 63·127/2¹⁶ of one quant
 * product per pair). The offset is applied per sub-block of 16:
 * <pre>
 *   Σ_i k_s·(q_i − 32)·δ·x_i = k_s·δ·Σ_i q_i·x_i − 32·k_s·(δ·Σ_i x_i)
 * </pre>
 * with the activations' half-block sums (two 8-lane multiply-adds per block). Float lane j of a
 * run starting at value v belongs to sub-block (v + 2j)/16: with L = 8 the whole run takes one
 * factor k_s·δ, with L = 16 lanes 8..15 take the next sub-block's (a broadcast blended with a
 * constant mask; a table of repeated factors instead made every 16-lane load straddle two 8-lane
 * stores, which the store buffer cannot forward).
 */
final class Q6_KKernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    /** 2L shorts, the float vector's size. */
    private static final VectorSpecies<Short> S2 = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize()));
    /** 2L bytes. */
    private static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Float lanes 8..15: with L = 16 a run of 2L values spans two sub-blocks (none with L = 8). */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(F, 0xFF00L);
    private static final int BYTES = Q6_KFormat.BLOCK_BYTES;

    private Q6_KKernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float[] xs = new float[n / 16];
        BlockFactors.groupSums(x, xOff, n, 16, xs);
        return dot(seg, offset, x, xOff, n, new float[16], xs);
    }

    /**
     * {@link #dot} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}: the sums
     * of x over each sub-block of 16 taken once for all rows, one scratch array for the factors.
     */
    static void dotRows(MemorySegment seg, long offset, long rowBytes, int rows, float[] x, int xOff, int n,
                        float[] out, int outOff) {
        float[] k = new float[16];
        float[] xs = new float[n / 16];
        BlockFactors.groupSums(x, xOff, n, 16, xs);
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dot(seg, offset + r * rowBytes, x, xOff, n, k, xs);
        }
    }

    /**
     * {@link #dot} with {@code k} (16 floats) as the block factors' scratch and {@code xs[s]} the
     * sum of x over sub-block s: Σ_s k_s·Σ q·x − 32·Σ_s k_s·xs_s, one conversion and one multiply-add
     * a lane of values. The 6-bit quants are unpacked from zero-extended bytes: with a = ql[l],
     * c = ql[32+l], h = qh[l] of a half, group 0 is a's low nibble | (h &amp; 3) &lt;&lt; 4, group 1 c's low
     * nibble | (h &amp; 12) &lt;&lt; 2, group 2 a &gt;&gt; 4 | (h &amp; 48), group 3 c &gt;&gt; 4 | (h &gt;&gt; 2 &amp; 48).
     * A run of L lanes lies in one sub-block; a block is four units, each the 16 positions of one
     * sub-block of every group (both units of a half written out, the halves a loop: all four written
     * out made a method C1 could not compile, out of virtual registers, and C2 then never took it,
     * so that decode ran 100 times slower; as a loop of four the kernel was 2.4 times slower).
     */
    private static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n, float[] k, float[] xs) {
        int nb = BlockFormat.blocks(GgmlType.Q6_K, n);
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector offsets = FloatVector.zero(F8);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.q6(seg, blk + Q6_KFormat.SCALES, blk + Q6_KFormat.D, k);
            offsets = FloatVector.fromArray(F8, k, 0).fma(FloatVector.fromArray(F8, xs, 16 * b), offsets);
            offsets = FloatVector.fromArray(F8, k, 8).fma(FloatVector.fromArray(F8, xs, 16 * b + 8), offsets);
            for (int half = 0; half < 2; half++) {
                long ql = blk + 64 * half;
                long qh = blk + Q6_KFormat.QH + 32 * half;
                int xo = xOff + 256 * b + 128 * half;
                int s = 8 * half;
                {
                // values 128·half + 32g + 0 … 15 of the groups g = 0..3: sub-block 8·half + 0 + 2g of each
                FloatVector p0 = FloatVector.zero(F);
                FloatVector p1 = p0;
                FloatVector p2 = p0;
                FloatVector p3 = p0;
                for (int l = 0; l < 16; l += step) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + 32 + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, seg, qh + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    FloatVector w0 = (FloatVector) a.and(0x0F).or(h.and(0x03).lanewise(VectorOperators.LSHL, 4)).convert(VectorOperators.I2F, 0);
                    FloatVector w1 = (FloatVector) c.and(0x0F).or(h.and(0x0C).lanewise(VectorOperators.LSHL, 2)).convert(VectorOperators.I2F, 0);
                    FloatVector w2 = (FloatVector) a.lanewise(VectorOperators.LSHR, 4).or(h.and(0x30)).convert(VectorOperators.I2F, 0);
                    FloatVector w3 = (FloatVector) c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30))
                            .convert(VectorOperators.I2F, 0);
                    p0 = w0.fma(FloatVector.fromArray(F, x, xo + l), p0);
                    p1 = w1.fma(FloatVector.fromArray(F, x, xo + 32 + l), p1);
                    p2 = w2.fma(FloatVector.fromArray(F, x, xo + 64 + l), p2);
                    p3 = w3.fma(FloatVector.fromArray(F, x, xo + 96 + l), p3);
                }
                acc0 = p0.fma(FloatVector.broadcast(F, k[s + 0]), acc0);
                acc1 = p1.fma(FloatVector.broadcast(F, k[s + 2]), acc1);
                acc0 = p2.fma(FloatVector.broadcast(F, k[s + 4]), acc0);
                acc1 = p3.fma(FloatVector.broadcast(F, k[s + 6]), acc1);
                }
                {
                // values 128·half + 32g + 16 … 31 of the groups g = 0..3: sub-block 8·half + 1 + 2g of each
                FloatVector p0 = FloatVector.zero(F);
                FloatVector p1 = p0;
                FloatVector p2 = p0;
                FloatVector p3 = p0;
                for (int l = 16; l < 32; l += step) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, seg, ql + 32 + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, seg, qh + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    FloatVector w0 = (FloatVector) a.and(0x0F).or(h.and(0x03).lanewise(VectorOperators.LSHL, 4)).convert(VectorOperators.I2F, 0);
                    FloatVector w1 = (FloatVector) c.and(0x0F).or(h.and(0x0C).lanewise(VectorOperators.LSHL, 2)).convert(VectorOperators.I2F, 0);
                    FloatVector w2 = (FloatVector) a.lanewise(VectorOperators.LSHR, 4).or(h.and(0x30)).convert(VectorOperators.I2F, 0);
                    FloatVector w3 = (FloatVector) c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and(0x30))
                            .convert(VectorOperators.I2F, 0);
                    p0 = w0.fma(FloatVector.fromArray(F, x, xo + l), p0);
                    p1 = w1.fma(FloatVector.fromArray(F, x, xo + 32 + l), p1);
                    p2 = w2.fma(FloatVector.fromArray(F, x, xo + 64 + l), p2);
                    p3 = w3.fma(FloatVector.fromArray(F, x, xo + 96 + l), p3);
                }
                acc0 = p0.fma(FloatVector.broadcast(F, k[s + 1]), acc0);
                acc1 = p1.fma(FloatVector.broadcast(F, k[s + 3]), acc1);
                acc0 = p2.fma(FloatVector.broadcast(F, k[s + 5]), acc0);
                acc1 = p3.fma(FloatVector.broadcast(F, k[s + 7]), acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 32f * offsets.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Σ_i w[i]·(δ·x)[xOff+i] with the activations as 8-bit blocks ({@code xp} quant pairs, {@code xd}
     * scales, {@code xh} half-block sums δ·Σx); {@code xOff} a multiple of 32.
     */
    static float dotQ8(MemorySegment seg, long offset, int[] xp, float[] xd, float[] xh, int xOff, int n) {
        return dotQ8(seg, offset, xp, xd, xh, xOff, n, new float[16], new float[17]);
    }

    /** {@link #dotQ8} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}, one set of scratch arrays for all. */
    static void dotQ8Rows(MemorySegment seg, long offset, long rowBytes, int rows, int[] xp, float[] xd, float[] xh,
                          int xOff, int n, float[] out, int outOff) {
        float[] k = new float[16];
        float[] f = new float[17];
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dotQ8(seg, offset + r * rowBytes, xp, xd, xh, xOff, n, k, f);
        }
    }

    /** {@link #dotQ8} with {@code k} (16 floats) and {@code f} (17) as scratch. */
    private static float dotQ8(MemorySegment seg, long offset, int[] xp, float[] xd, float[] xh, int xOff, int n,
                               float[] k, float[] f) {
        int nb = BlockFormat.blocks(GgmlType.Q6_K, n);
        int step = S2.length();
        int xb = xOff / 32;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector offsets = FloatVector.zero(F8);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.q6(seg, blk + Q6_KFormat.SCALES, blk + Q6_KFormat.D, k);
            int sb = xb + 8 * b;
            offsets = FloatVector.fromArray(F8, k, 0).fma(FloatVector.fromArray(F8, xh, 2 * sb), offsets);
            offsets = FloatVector.fromArray(F8, k, 8).fma(FloatVector.fromArray(F8, xh, 2 * sb + 8), offsets);
            for (int i = 0; i < 16; i++) {
                f[i] = k[i] * xd[sb + i / 2] * Q4_KKernel.PAIR_SCALE;
            }
            for (int half = 0; half < 2; half++) {
                long ql = blk + Q6_KFormat.QL + 64 * half;
                long qh = blk + Q6_KFormat.QH + 32 * half;
                int xo = xOff + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += step) {
                    ShortVector a = (ShortVector) ByteVector.fromMemorySegment(B2, seg, ql + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                    ShortVector c = (ShortVector) ByteVector.fromMemorySegment(B2, seg, ql + 32 + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                    ShortVector h = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qh + l, Lanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                    // group g = 0..3 (values 32g + l): low/high nibble of a or c, bits 2g..2g+1 of h on top
                    ShortVector q0 = a.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x30));
                    ShortVector q1 = c.and((short) 0x0F).or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x30));
                    ShortVector q2 = a.lanewise(VectorOperators.LSHR, 4).or(h.and((short) 0x30));
                    ShortVector q3 = c.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
                    int s = 8 * half + l / 16;
                    IntVector p0 = q0.reinterpretAsInts().mul(IntVector.fromArray(I, xp, (xo + 0 + l) / 2));
                    IntVector p1 = q1.reinterpretAsInts().mul(IntVector.fromArray(I, xp, (xo + 32 + l) / 2));
                    IntVector p2 = q2.reinterpretAsInts().mul(IntVector.fromArray(I, xp, (xo + 64 + l) / 2));
                    IntVector p3 = q3.reinterpretAsInts().mul(IntVector.fromArray(I, xp, (xo + 96 + l) / 2));
                    acc0 = ((FloatVector) p0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[s + 0])
                            .blend(f[s + 1], UPPER), acc0);
                    acc1 = ((FloatVector) p1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[s + 2])
                            .blend(f[s + 3], UPPER), acc1);
                    acc0 = ((FloatVector) p2.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[s + 4])
                            .blend(f[s + 5], UPPER), acc0);
                    acc1 = ((FloatVector) p3.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[s + 6])
                            .blend(f[s + 7], UPPER), acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 32f * offsets.reduceLanes(VectorOperators.ADD);
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
