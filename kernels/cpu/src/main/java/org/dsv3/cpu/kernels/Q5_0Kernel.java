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
import org.dsv3.model.quant.LittleEndian;
import org.dsv3.model.quant.Q5_0Format;

/**
 * Q5_0 (layout in {@link Q5_0Format}, ggml's: f16 d, a 32-bit word qh whose bit j is the fifth
 * bit of value j, and 16 bytes of low nibbles, value j in the low and value j+16 in the high
 * nibble of byte j): nibbles as in Q4_0; the fifth bits of the L values starting at element j are
 * bits j.. of the qh word, turned into a lane mask that adds 16 to q − 16.
 *
 * <p>The integer dot ({@link #dotQ8}) multiplies the signed weights q − 16 ∈ [−16, 15] with the
 * activations' 8-bit quants ({@link Q8Blocks}) in 16-bit lanes, as {@link Q8_0Kernel#dotQ8} does
 * (a product is at most 16·127 = 2,032, a lane sums at most two, and the 16 → 32-bit pair sum
 * of that kernel follows). The −16 is applied in the lanes, not folded into the activations'
 * block sums as Q4_K's minimum is: the fifth bit has to enter the lanes through one masked
 * operation either way, and subtracting 16 where it is clear costs the same as adding 16 where it
 * is set, so the fold would save nothing and would cost a scalar term per block; the products
 * stay exact. The block's integer sum converts to float once and takes d·δ in one multiply-add.
 */
final class Q5_0Kernel {
    private static final VectorSpecies<Float> F = Lanes.ACTIVE.f();
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();
    private static final long LANE_BITS = (1L << Lanes.ACTIVE.length()) - 1;
    private static final int BYTES = Q5_0Format.BLOCK_BYTES;
    /** 16 shorts: the integer dot's lanes at either width ({@link #dotQ8}). */
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    /** The 16 qs bytes of a block. */
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    /** The 8 int/float lanes of a block's 16-bit pair sums. */
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /**
     * Whether this machine has AVX-512's mask registers (its widest vectors are 512 bits, whatever
     * width {@link Lanes#ACTIVE} uses): there a lane mask from a long is one instruction.
     */
    private static final boolean MASK_REGISTERS = VectorShape.preferredShape().vectorBitSize() >= 512;
    /** Lane j: bit j, the lane's bit of a half of qh (for {@link #dotQ8} without mask registers). */
    private static final ShortVector LANE_BIT = ShortVector.fromArray(S16, new short[] {1, 2, 4, 8, 16, 32, 64, 128, 256,
            512, 1024, 2048, 4096, 8192, 16384, (short) 0x8000}, 0);

    /** 0, 1, …, 15: lane j's shift in {@link #dot}. */
    private static final int[] LANE_INDEX = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    private Q5_0Kernel() {
    }

    static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        float[] xs = new float[n / 32];
        BlockFactors.groupSums(x, xOff, n, 32, xs);
        return dot(seg, offset, x, xOff, n, xs);
    }

    /** {@link #dot} of {@code rows} rows {@code rowBytes} apart into {@code out[outOff …]}, the block sums of x taken once for all. */
    static void dotRows(MemorySegment seg, long offset, long rowBytes, int rows, float[] x, int xOff, int n,
                        float[] out, int outOff) {
        float[] xs = new float[n / 32];
        BlockFactors.groupSums(x, xOff, n, 32, xs);
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dot(seg, offset + r * rowBytes, x, xOff, n, xs);
        }
    }

    /**
     * {@link #dot} with {@code xs[b]} the sum of x over block b: Σ_b d_b·(Σ q·x − 16·xs_b), q = nibble
     * + 16·(fifth bit) ∈ [0, 31]. The fifth bits reach their lanes by a per-lane variable shift of
     * the broadcast qh word (vpsrlvd on AVX2; {@code VectorMask.fromLong} is one instruction only
     * with AVX-512's mask registers and a long sequence without): value j of the low half takes
     * {@code ((qh << 4) >>> j) & 16}, value 16 + j {@code ((qh >>> 12) >>> j) & 16}.
     */
    private static float dot(MemorySegment seg, long offset, float[] x, int xOff, int n, float[] xs) {
        int nb = BlockFormat.blocks(GgmlType.Q5_0, n);
        int step = F.length();
        FloatVector acc = FloatVector.zero(F);
        float offsets = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            int qh = LittleEndian.i32(seg, blk + Q5_0Format.QH);
            float d = LittleEndian.f16(seg, blk);
            IntVector hLo = IntVector.broadcast(I, qh << 4);
            IntVector hHi = IntVector.broadcast(I, qh >>> 12);
            int xo = xOff + 32 * b;
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < 16; j += step) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q5_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector shift = IntVector.fromArray(I, LANE_INDEX, j);
                IntVector lo = q.and(0x0F).or(hLo.lanewise(VectorOperators.LSHR, shift).and(16));
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).or(hHi.lanewise(VectorOperators.LSHR, shift).and(16));
                p = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + j), p);
                p = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xo + 16 + j), p);
            }
            acc = p.fma(FloatVector.broadcast(F, d), acc);
            offsets += d * xs[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) - 16f * offsets;
    }

    /**
     * Σ_i w[i]·(δ·x)[xOff+i] with the activations as 8-bit blocks ({@code xq} quants, {@code xd}
     * scales); {@code xOff} a multiple of 32.
     *
     * <p>A block's 16 qs bytes widen to 16 short lanes once; the low nibbles are values 0..15, the
     * high nibbles values 16..31, and the lanes whose qh bit is clear take −16. Each lane sums the
     * products of value j and value j+16 with their activation quants (≤ 2·16·127 = 4,064), and
     * the pair sum of {@link Q8_0Kernel#dotQ8} leaves the block's sum in 8 int lanes.
     *
     * <p>The fifth bits become a lane mask with {@code VectorMask.fromLong} where AVX-512's mask
     * registers make that one instruction; on AVX2 it is a long sequence, and a lane compare of the
     * broadcast half of qh with each lane's bit is used instead (measured per product: on AVX2 the
     * compare 17 % faster, on AVX-512 {@code fromLong} 10 % faster).
     *
     * <p>These are 256-bit vectors with 512-bit ones too: filling 32 short lanes with one block takes
     * a shuffle of the split nibbles into value order, and that kernel measured 10–20 % slower per
     * product than this one (and than the float dot) on an AVX-512 Xeon; two blocks per iteration
     * with two accumulators measured slower as well (the multiply-add chain is not what bounds a
     * block here).
     */
    static float dotQ8(MemorySegment seg, long offset, short[] xq, float[] xd, int xOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q5_0, n);
        int xb = xOff / 32;
        FloatVector acc = FloatVector.zero(F8);
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            int qh = LittleEndian.i32(seg, blk + Q5_0Format.QH);
            int xo = xOff + 32 * b;
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B16, seg, blk + Q5_0Format.QS, Lanes.LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            // lanes whose fifth bit is clear: q − 16 = nibble − 16
            VectorMask<Short> clear0 = MASK_REGISTERS ? VectorMask.fromLong(S16, ~qh & 0xFFFF)
                    : ShortVector.broadcast(S16, (short) qh).and(LANE_BIT).compare(VectorOperators.EQ, 0);
            VectorMask<Short> clear1 = MASK_REGISTERS ? VectorMask.fromLong(S16, ~qh >>> 16)
                    : ShortVector.broadcast(S16, (short) (qh >>> 16)).and(LANE_BIT).compare(VectorOperators.EQ, 0);
            ShortVector w0 = q.and((short) 0x0F).lanewise(VectorOperators.SUB, (short) 16, clear0);
            ShortVector w1 = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.SUB, (short) 16, clear1);
            IntVector v = w0.mul(ShortVector.fromArray(S16, xq, xo)).add(w1.mul(ShortVector.fromArray(S16, xq, xo + 16)))
                    .reinterpretAsInts();
            IntVector s = v.lanewise(VectorOperators.ASHR, 16)
                    .add(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) s.convert(VectorOperators.I2F, 0)).fma(
                    FloatVector.broadcast(F8, LittleEndian.f16(seg, blk) * xd[xb + b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(GgmlType.Q5_0, n);
        int step = F.length();
        for (int b = 0; b < nb; b++) {
            long blk = offset + (long) b * BYTES;
            float d = LittleEndian.f16(seg, blk);
            int qh = LittleEndian.i32(seg, blk + Q5_0Format.QH);
            int o = outOff + 32 * b;
            for (int j = 0; j < 16; j += step) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, seg, blk + Q5_0Format.QS + j, Lanes.LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                VectorMask<Integer> h0 = VectorMask.fromLong(I, (qh >>> j) & LANE_BITS);
                VectorMask<Integer> h1 = VectorMask.fromLong(I, (qh >>> (16 + j)) & LANE_BITS);
                ((FloatVector) q.and(0x0F).sub(16).lanewise(VectorOperators.ADD, 16, h0).convert(VectorOperators.I2F, 0))
                        .mul(d).intoArray(out, o + j);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(0x0F).sub(16).lanewise(VectorOperators.ADD, 16, h1)
                        .convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, o + 16 + j);
            }
        }
    }
}
