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
 * (k_j = d·scale_j, m_j = dmin·min_j). The nibbles widen to 16-bit lanes, and two neighbouring
 * lanes at a time multiply the activation quants in one 32-bit multiply ({@link #dotQ8} says how
 * and what it rounds). The sub-block's pair sums then convert to float and take k_j·δ_j in one
 * multiply-add; the min terms of a block are 8 lanes, one fused multiply-add per block.
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
    /** 2⁻¹⁶: the pair products of {@link #dotQ8} sit in the upper half of their 32-bit lanes. */
    static final float PAIR_SCALE = 1f / 65536f;
    /**
     * Whether a 32-byte chunk takes two loads (L = 8: 16 bytes widen to the 16 short lanes of a
     * 256-bit vector) rather than one (L = 16).
     */
    private static final boolean HALVES = S2.length() == 16;

    private Q4_KKernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float[] xs = new float[n / 32];
        BlockFactors.groupSums(x, xOff, n, 32, xs);
        return dot(seg, offset, x, xOff, n, new float[16], xs);
    }

    /**
     * {@link #dot} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}: the sums
     * of x over each sub-block of 32 taken once for all rows, one scratch array for the factors.
     */
    static void dotRows(MemorySegment seg, long offset, long rowBytes, int rows, float[] x, int xOff, int n,
                        float[] out, int outOff) {
        float[] k = new float[16];
        float[] xs = new float[n / 32];
        BlockFactors.groupSums(x, xOff, n, 32, xs);
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dot(seg, offset + r * rowBytes, x, xOff, n, k, xs);
        }
    }

    /**
     * {@link #dot} with {@code k} (16 floats) as the block factors' scratch and {@code xs[j]} the
     * sum of x over sub-block j: Σ_j k_j·Σ_i q_i·x_i − Σ_j m_j·xs_j, so that a lane of values costs
     * one conversion and one multiply-add, and a sub-block one multiply-add more.
     */
    private static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n, float[] k, float[] xs) {
        int nb = BlockFormat.blocks(GgmlType.Q4_K, n);
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector mins = FloatVector.zero(F8);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            BlockFactors.kQuant(seg, blk, k);
            mins = FloatVector.fromArray(F8, k, 8).fma(FloatVector.fromArray(F8, xs, 8 * b), mins);
            long qs = blk + Q4_KFormat.QS;
            int xo = xOff + 256 * b;
            // chunk c (32 bytes at qs + 32c): sub-block 2c in the low nibbles, 2c+1 in the high ones
            IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo));
            FloatVector p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 32));
            for (int l = step; l < 32; l += step) {
                q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + l, Lanes.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + l), p0);
                p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 32 + l), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, k[0]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, k[1]), acc1);
            q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + 32, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 64));
            p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 96));
            for (int l = step; l < 32; l += step) {
                q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + 32 + l, Lanes.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 64 + l), p0);
                p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 96 + l), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, k[2]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, k[3]), acc1);
            q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + 64, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 128));
            p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 160));
            for (int l = step; l < 32; l += step) {
                q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + 64 + l, Lanes.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 128 + l), p0);
                p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 160 + l), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, k[4]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, k[5]), acc1);
            q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + 96, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 192));
            p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xo + 224));
            for (int l = step; l < 32; l += step) {
                q = (IntVector) ByteVector.fromMemorySegment(B, seg, qs + 96 + l, Lanes.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                p0 = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 192 + l), p0);
                p1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 224 + l), p1);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, k[6]), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, k[7]), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - mins.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Σ_i w[i]·(δ·x)[xOff+i] with the activations as 8-bit blocks ({@code xp} quant pairs, see
     * {@link Q8Blocks#pairs()}; {@code xd} scales, {@code xs} block sums δ·Σx); {@code xOff} a
     * multiple of 32.
     *
     * <p>The nibbles widen to 16-bit lanes; read as 32-bit lanes, each holds two neighbouring
     * weights {@code w[2i] + w[2i+1]·2¹⁶}, and one 32-bit multiply by the activation pair gives
     * {@code v = S·2¹⁶ + w[2i]·x[2i+1]} with S the pair's dot product (|S| ≤ 2·15·127, so v fits 31
     * bits and nothing wraps). v converts to float as it is and the sub-block factor carries the
     * 2⁻¹⁶: the leftover term adds at most 15·127/2¹⁶ (0.03 of one quant product) per pair, about
     * a thousandth of what rounding the activations to 8 bits already moves a sub-block's sum
     * ({@code Q8DotTest} bounds it). Two accumulators, one per nibble half, halve the chain of
     * dependent multiply-adds.
     */
    static float dotQ8(MemorySegment seg, long offset, int[] xp, float[] xd, float[] xs, int xOff, int n) {
        return dotQ8(seg, offset, xp, xd, xs, xOff, n, new float[16], new float[n / 32]);
    }

    /** {@link #dotQ8} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}, one set of scratch arrays for all. */
    static void dotQ8Rows(MemorySegment seg, long offset, long rowBytes, int rows, int[] xp, float[] xd, float[] xs,
                          int xOff, int n, float[] out, int outOff) {
        float[] k = new float[16];
        float[] f = new float[n / 32];
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dotQ8(seg, offset + r * rowBytes, xp, xd, xs, xOff, n, k, f);
        }
    }

    /**
     * {@link #dotQ8} with {@code k} (16 floats) and {@code f} (n/32: one factor per sub-block) as
     * scratch. One pass over the row: per block, its factors are decoded, the min terms taken and
     * each sub-block's k_j·δ_j·2⁻¹⁶ left in {@code f}, then the integer loop, its four chunks written
     * out (C2 does not unroll the 4-trip loop). A first pass over all the row's block headers before
     * the integer loop (the earlier shape) was the one that waited for memory when the rows stream
     * from it, as in decode: merged, the product took 7–11 % less CPU time over 65,536 rows
     * (75 MB, beyond the 48 MB L3) and 6 % less in cache (1,408 rows), {@code tests/cputime.sh Q4_K}
     * with {@code -Ddsv3.bench.rows}, 2026-12-04.
     */
    private static float dotQ8(MemorySegment seg, long offset, int[] xp, float[] xd, float[] xs, int xOff, int n,
                               float[] k, float[] f) {
        int nb = BlockFormat.blocks(GgmlType.Q4_K, n);
        int xb = xOff >> 5;
        FloatVector mins = FloatVector.zero(F8);
        int xo = xOff >> 1;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++) {
            BlockFactors.kQuant(seg, offset + (long) b * BYTES, k);
            int sb = xb + 8 * b;
            mins = FloatVector.fromArray(F8, k, 8).fma(FloatVector.fromArray(F8, xs, sb), mins);
            FloatVector.fromArray(F8, k, 0).mul(FloatVector.fromArray(F8, xd, sb)).mul(PAIR_SCALE).intoArray(f, 8 * b);
            long qs = offset + (long) b * BYTES + Q4_KFormat.QS;
            int p = xo + 128 * b;
            int fb = 8 * b;
            // chunk c (32 bytes at qs + 32c): sub-block 2c in the low nibbles, 2c+1 in the high ones
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
            IntVector lo = q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p));
            IntVector hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 16));
            if (HALVES) {
                q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 16, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                lo = lo.add(q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 8)));
                hi = hi.add(q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 24)));
            }
            acc0 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb]), acc0);
            acc1 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 1]), acc1);
            q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 32, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
            lo = q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 32));
            hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 48));
            if (HALVES) {
                q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 48, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                lo = lo.add(q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 40)));
                hi = hi.add(q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 56)));
            }
            acc0 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 2]), acc0);
            acc1 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 3]), acc1);
            q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 64, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
            lo = q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 64));
            hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 80));
            if (HALVES) {
                q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 80, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                lo = lo.add(q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 72)));
                hi = hi.add(q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 88)));
            }
            acc0 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 4]), acc0);
            acc1 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 5]), acc1);
            q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 96, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
            lo = q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 96));
            hi = q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 112));
            if (HALVES) {
                q = (ShortVector) ByteVector.fromMemorySegment(B2, seg, qs + 112, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S2, 0);
                lo = lo.add(q.and((short) 0x0F).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 104)));
                hi = hi.add(q.lanewise(VectorOperators.LSHR, 4).reinterpretAsInts().mul(IntVector.fromArray(I, xp, p + 120)));
            }
            acc0 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 6]), acc0);
            acc1 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, f[fb + 7]), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - mins.reduceLanes(VectorOperators.ADD);
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
