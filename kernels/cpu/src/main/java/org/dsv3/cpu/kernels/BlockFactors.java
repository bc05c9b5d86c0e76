package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dsv3.model.quant.KScales;
import org.dsv3.model.quant.LittleEndian;

/**
 * Per-block scale factors of the K-quants, decoded with 8-lane vectors (256-bit, present on every
 * machine the kernels run on) instead of byte-by-byte scalar code, which would cost as much as the
 * block's whole dot product. Results go to a small float array the kernels broadcast from (no
 * vector crosses a method boundary, see {@link Lanes}).
 */
final class BlockFactors {
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Lanes 4..7. */
    private static final VectorMask<Integer> UPPER = VectorMask.fromLong(I8, 0xF0);
    /**
     * Two 64-bit words, of which the first is read as 8 bytes: a block's packed scales or mins
     * ({@link #scales}, {@link #mins}) broadcast into it. (A one-lane long vector has no SIMD form in
     * C2 and runs boxed.)
     */
    static final VectorSpecies<Long> L2 = LongVector.SPECIES_128;

    private BlockFactors() {
    }

    /**
     * For a Q4_K/Q5_K block ({@link KScales} field at {@code blk + 4}, d and dmin at {@code blk} and
     * {@code blk + 2}): k[j] = d·scale_j, k[8+j] = dmin·min_j, exactly as {@link KScales#factors}.
     * With s the 12 scale bytes, lane j of P, Q, R holds s[j−4], s[j], s[j+4]; then
     * <pre>
     *   scale_j = j &lt; 4 ? Q &amp; 63 : (R &amp; 15) | (P &gt;&gt; 6) &lt;&lt; 4
     *   min_j   = j &lt; 4 ? R &amp; 63 : (R &gt;&gt; 4) | (Q &gt;&gt; 6) &lt;&lt; 4
     * </pre>
     * (lanes 0..3 of P read d and dmin, and are not used).
     */
    static void kQuant(MemorySegment seg, long blk, float[] k) {
        IntVector p = ((IntVector) ByteVector.fromMemorySegment(B8, seg, blk, Lanes.LE).convertShape(VectorOperators.B2I, I8, 0)).and(0xFF);
        IntVector q = ((IntVector) ByteVector.fromMemorySegment(B8, seg, blk + 4, Lanes.LE).convertShape(VectorOperators.B2I, I8, 0)).and(0xFF);
        IntVector r = ((IntVector) ByteVector.fromMemorySegment(B8, seg, blk + 8, Lanes.LE).convertShape(VectorOperators.B2I, I8, 0)).and(0xFF);
        IntVector scales = q.and(63).blend(r.and(15).or(p.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)), UPPER);
        IntVector mins = r.and(63).blend(r.lanewise(VectorOperators.LSHR, 4).or(q.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)), UPPER);
        ((FloatVector) scales.convert(VectorOperators.I2F, 0)).mul(LittleEndian.f16(seg, blk)).intoArray(k, 0);
        ((FloatVector) mins.convert(VectorOperators.I2F, 0)).mul(LittleEndian.f16(seg, blk + 2)).intoArray(k, 8);
    }

    /**
     * The eight 6-bit scales of a {@link KScales} field as the bytes of a little-endian word (scale j
     * in byte j), from its 12 bytes s: {@code lo} = s[0..7] and {@code hi} = s[8..11] read little-endian.
     * Byte-parallel in the words: with A = s[0..3], B = s[4..7], C = s[8..11],
     * <pre>
     *   scale_0..3 = A &amp; 63          scale_4..7 = (C &amp; 15) | (A &gt;&gt; 6) &lt;&lt; 4
     *   min_0..3   = B &amp; 63          min_4..7   = (C &gt;&gt; 4) | (B &gt;&gt; 6) &lt;&lt; 4
     * </pre>
     * each "&gt;&gt; 6 &lt;&lt; 4" of a byte being a word shift right by 2 masked to bits 4 and 5
     * (as {@link #kQuant} decodes them lane by lane).
     */
    static long scales(long lo, int hi) {
        int a = (int) lo;
        int first = a & 0x3F3F3F3F;
        int second = (hi & 0x0F0F0F0F) | ((a >>> 2) & 0x30303030);
        return (first & 0xFFFFFFFFL) | ((long) second << 32);
    }

    /** The eight 6-bit mins of a {@link KScales} field, as {@link #scales} gives its scales. */
    static long mins(long lo, int hi) {
        int b = (int) (lo >>> 32);
        int first = b & 0x3F3F3F3F;
        int second = ((hi >>> 4) & 0x0F0F0F0F) | ((b >>> 2) & 0x30303030);
        return (first & 0xFFFFFFFFL) | ((long) second << 32);
    }

    /** For a Q6_K block: k[i] = d·scale_i for its 16 signed 8-bit scales at {@code scales}, d at {@code dAt}. */
    static void q6(MemorySegment seg, long scales, long dAt, float[] k) {
        float d = LittleEndian.f16(seg, dAt);
        for (int half = 0; half < 2; half++) {
            IntVector s = (IntVector) ByteVector.fromMemorySegment(B8, seg, scales + 8 * half, Lanes.LE)
                    .convertShape(VectorOperators.B2I, I8, 0);
            ((FloatVector) s.convert(VectorOperators.I2F, 0)).mul(d).intoArray(k, 8 * half);
        }
    }

    /**
     * {@code out[j] = Σ x[xOff + group·j …+group)} for the n/group groups of {@code n} values
     * ({@code group} 16 or 32): the activation side of the K-quant float dots, which apply a
     * sub-block's minimum or offset once to its sum instead of to every weight.
     */
    static void groupSums(float[] x, int xOff, int n, int group, float[] out) {
        for (int j = 0; j < n / group; j++) {
            int o = xOff + group * j;
            FloatVector s = FloatVector.fromArray(F8, x, o).add(FloatVector.fromArray(F8, x, o + 8));
            for (int i = 16; i < group; i += 8) {
                s = s.add(FloatVector.fromArray(F8, x, o + i));
            }
            out[j] = s.reduceLanes(VectorOperators.ADD);
        }
    }
}
