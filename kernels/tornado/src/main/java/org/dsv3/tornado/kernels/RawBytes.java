package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Reads the fields of GGUF blocks from a tensor's raw bytes as uploaded: an {@link IntArray} whose
 * word {@code i} holds bytes {@code 4i … 4i+3}, little-endian (the bytes of the file, reinterpreted,
 * never converted). Addresses are byte offsets into the tensor.
 *
 * <p>Floating-point fields are decoded with integer arithmetic and exact multiplications by powers of
 * two: PoCL has no half-precision type and TornadoVM's OpenCL backend cannot reinterpret int bits as
 * float. Every helper has a single return (TornadoVM mis-lowers early returns in inlined helpers on
 * some backends).
 *
 * <p>Arrays carry one spare word after the data so that {@link #word} may read past the last byte.
 *
 * <p>Only arithmetic shifts ({@code >>}) followed by a mask appear here: TornadoVM's OpenCL backend
 * emits Java's {@code >>>} as C's {@code >>} on a signed int, which sign-extends.
 */
public final class RawBytes {
    private RawBytes() {
    }

    /** The unsigned byte at {@code a}. */
    public static int u8(IntArray w, int a) {
        return (w.get(a >> 2) >> ((a & 3) << 3)) & 0xFF;
    }

    /** The unsigned 16-bit value at an even address {@code a}. */
    public static int u16(IntArray w, int a) {
        return (w.get(a >> 2) >> ((a & 2) << 3)) & 0xFFFF;
    }

    /** The 32-bit little-endian value at any address {@code a} (two aligned reads when unaligned). */
    public static int word(IntArray w, int a) {
        int shift = (a & 3) << 3;
        int lo = w.get(a >> 2);
        int hi = w.get((a >> 2) + 1);
        int joined = ((lo >> shift) & ((1 << (32 - shift)) - 1)) | (hi << (32 - shift));
        return shift == 0 ? lo : joined;
    }

    /**
     * Byte {@code k} (0..3) of {@code v} as a signed value. Written as {@code b − 256·[b ≥ 128]} rather than
     * the shift pair {@code (v << 24−8k) >> 24}: Graal turns that pair into a sign extension, which TornadoVM's
     * PTX backend computed wrongly on the H200 (Q8_0 and Q6_K rows came out wrong, OpenCL was right).
     */
    public static int signedByte(int v, int k) {
        int b = (v >> (8 * k)) & 0xFF;
        return b - ((b & 0x80) << 1);
    }

    /** Byte {@code k} (0..3) of {@code v}, unsigned. */
    public static int byteOf(int v, int k) {
        return (v >> (8 * k)) & 0xFF;
    }

    /**
     * {@code 2^e} for {@code 0 ≤ e < 32}, exactly: the integer {@code 1 << e} converted (a power of two is
     * exact in float; e = 31 would overflow the int).
     */
    public static float pow2Small(int e) {
        return e == 31 ? 2147483648f : (float) (1 << e);
    }

    /** {@code 2^k} for {@code -126 ≤ k ≤ 127}, exactly. */
    public static float pow2(int k) {
        int a = k < 0 ? -k : k;
        float up = pow2Small(a & 31);
        up *= (a & 32) != 0 ? 4294967296f : 1f;
        up *= (a & 64) != 0 ? 1.8446744e19f : 1f;
        float down = (a & 1) != 0 ? 0.5f : 1f;
        down *= (a & 2) != 0 ? 0.25f : 1f;
        down *= (a & 4) != 0 ? 0.0625f : 1f;
        down *= (a & 8) != 0 ? 0.00390625f : 1f;
        down *= (a & 16) != 0 ? 1.5258789e-5f : 1f;
        down *= (a & 32) != 0 ? 2.3283064e-10f : 1f;
        down *= (a & 64) != 0 ? 5.421011e-20f : 1f;
        return k < 0 ? down : up;
    }

    /**
     * IEEE half precision bits (low 16 bits of {@code h}) to float, exactly, for finite values: normal
     * {@code (1024 + m)·2^(e−25)}, subnormal {@code m·2^−24}. Infinities and NaNs (never found in
     * model weights or block scales) decode as large finite values.
     */
    public static float half(int h) {
        int e = (h >> 10) & 31;
        int m = h & 1023;
        int significand = e == 0 ? m : 1024 + m;
        int scale = e == 0 ? 0 : e - 1;
        float mag = significand * 5.9604645e-8f * pow2Small(scale);
        return (h & 0x8000) != 0 ? -mag : mag;
    }

    /** bfloat16 bits (low 16 bits of {@code b}) to float, exactly, for finite values. */
    public static float bf16(int b) {
        int e = (b >> 7) & 255;
        int m = b & 127;
        float normal = (1f + m * 0.0078125f) * pow2(e - 127);
        float subnormal = m * 0.0078125f * 1.17549435e-38f;
        float mag = e == 0 ? subnormal : normal;
        return (b & 0x8000) != 0 ? -mag : mag;
    }

    /** float32 bits to float, exactly, for finite values. */
    public static float f32(int v) {
        int e = (v >> 23) & 255;
        int m = v & 0x7FFFFF;
        float frac = m * 1.1920929e-7f;
        float normal = (1f + frac) * pow2(e - 127);
        float subnormal = frac * 1.17549435e-38f;
        float mag = e == 0 ? subnormal : normal;
        return v < 0 ? -mag : mag;
    }

    /** The half-precision value stored at the even address {@code a}. */
    public static float halfAt(IntArray w, int a) {
        return half(u16(w, a));
    }
}
