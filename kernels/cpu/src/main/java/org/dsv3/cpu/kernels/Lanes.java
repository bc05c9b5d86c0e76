package org.dsv3.cpu.kernels;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the kernels work with: float vectors of L lanes (L = 8 or 16) and the byte,
 * short and int species of the same lane count, so that L quantized bytes widen lane for lane into
 * L int or float lanes. The shape is fixed once per JVM ({@link #ACTIVE}) and copied into
 * {@code static final} fields of every kernel: the Vector API compiles to SIMD instructions only
 * where the species is a compile-time constant.
 *
 * <p>Two rules the kernels follow for the JIT's sake. No method takes or returns a vector unless
 * it is a Vector API method: a vector crossing a call that C2 did not inline (which happens when
 * the callee was compiled on its own first, or the caller's inlining budget ran out) is boxed,
 * and the kernel runs orders of magnitude slower. And bit fields are picked out in int lanes,
 * not byte lanes: x86 has no byte-lane shifts, while widening first costs nothing, since a
 * byte→float conversion is a byte→int widening followed by an int→float conversion anyway.
 */
public record Lanes(VectorSpecies<Float> f, VectorSpecies<Byte> b, VectorSpecies<Short> s, VectorSpecies<Integer> i) {
    /** System property forcing the float vector width in bits (256 or 512), e.g. to test the 256-bit kernels on an AVX-512 machine. */
    public static final String PROPERTY = "dsv3.vector.bits";

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * The shape used in this JVM: {@link #PROPERTY} if set, else the widest this machine runs
     * natively, capped at 512 bits; {@code null} when its vectors are narrower than 256 bits (the
     * callers then use the scalar formats).
     */
    public static final Lanes ACTIVE = choose();

    private static Lanes choose() {
        String forced = System.getProperty(PROPERTY, "");
        if (!forced.isBlank()) {
            return ofBits(Integer.parseInt(forced.trim()));
        }
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return bits >= 512 ? ofBits(512) : bits >= 256 ? ofBits(256) : null;
    }

    /** Lanes for float vectors of {@code bits} bits (256 or 512). */
    public static Lanes ofBits(int bits) {
        if (bits != 256 && bits != 512) {
            throw new IllegalArgumentException("kernels need 256- or 512-bit float vectors, not " + bits);
        }
        int lanes = bits / 32;
        return new Lanes(VectorSpecies.of(float.class, VectorShape.forBitSize(bits)),
                VectorSpecies.of(byte.class, VectorShape.forBitSize(lanes * 8)),
                VectorSpecies.of(short.class, VectorShape.forBitSize(lanes * 16)),
                VectorSpecies.of(int.class, VectorShape.forBitSize(lanes * 32)));
    }

    public int length() {
        return f.length();
    }
}
