package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loads of L packed bytes sign-extended into L int lanes, and int lanes to float lanes. Bit
 * fields are picked out in int lanes because x86 has no byte-lane shifts (the Vector API would
 * emulate them with several instructions each), while widening first costs nothing extra: a
 * byte→float conversion is a byte→int widening followed by an int→float conversion anyway.
 */
final class Widen {
    private static final VectorSpecies<Byte> B = Lanes.ACTIVE.b();
    private static final VectorSpecies<Integer> I = Lanes.ACTIVE.i();

    private Widen() {
    }

    /** L bytes from {@code at}, each sign-extended to an int lane. */
    static IntVector bytes(MemorySegment seg, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, seg, at, Lanes.LE).convertShape(VectorOperators.B2I, I, 0);
    }

    static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }
}
