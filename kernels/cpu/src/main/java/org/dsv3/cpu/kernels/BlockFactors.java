package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Lanes 4..7. */
    private static final VectorMask<Integer> UPPER = VectorMask.fromLong(I8, 0xF0);

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
