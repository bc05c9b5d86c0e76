package org.dsv3.tornado.kernels;

/**
 * Storage of the latent cache on the device: float32 in a {@code FloatArray}, or half precision (F16 or
 * BF16) packed two values to an int word of an {@code IntArray} — value {@code 2w} in the low 16 bits of word
 * {@code w}, value {@code 2w+1} in the high 16 bits — so that a lane reads whole, aligned words and
 * neighbouring lanes read neighbouring words.
 *
 * <p>Encoding and decoding use integer arithmetic and exact multiplications by powers of two only: PoCL and
 * TornadoVM's OpenCL backend have no usable half type, and TornadoVM cannot reinterpret float bits as int.
 * The encoders round to nearest, ties to even, and give the bits {@link Float#floatToFloat16} (F16) and the
 * CPU engine's bfloat16 conversion (BF16) give for every finite value, overflow to infinity included, with
 * two exceptions that cannot change a dot product: −0 encodes as +0, and (BF16 only) float32 subnormals
 * (below 2⁻¹²⁶) as zero. NaN encodes as the canonical quiet NaN.
 */
public final class CacheFormat {
    /** The largest finite half. */
    private static final float HALF_MAX = 65504f;
    /** float32, one value a {@code FloatArray} element. */
    public static final int F32 = 0;
    /** IEEE half precision, two to an int word. */
    public static final int F16 = 1;
    /** bfloat16, two to an int word. */
    public static final int BF16 = 2;

    private CacheFormat() {
    }

    /** Whether {@code format} packs two values a word (F16, BF16). */
    public static boolean packed(int format) {
        return format != F32;
    }

    /** The 16 bits of {@code v} in {@code format} (F16 or BF16). */
    public static int encode(int format, float v) {
        return format == BF16 ? bf16Bits(v) : f16Bits(v);
    }

    /** The value of the 16 bits {@code bits} (low bits of the int) in {@code format} (F16 or BF16). */
    public static float decode(int format, int bits) {
        return format == BF16 ? RawBytes.bf16(bits) : RawBytes.half(bits);
    }

    /** {@code v} rounded to {@code format}: what a cache row of that format holds. */
    public static float round(int format, float v) {
        return format == F32 ? v : decode(format, encode(format, v));
    }

    /** Low half (value {@code 2w}) of a packed word. */
    public static int low(int word) {
        return word & 0xFFFF;
    }

    /** High half (value {@code 2w+1}) of a packed word (masked: {@code >>} sign-extends). */
    public static int high(int word) {
        return (word >> 16) & 0xFFFF;
    }

    /** The word holding {@code a} (value 2w) and {@code b} (value 2w+1), both already rounded or not. */
    public static int pack(int format, float a, float b) {
        return encode(format, a) | (encode(format, b) << 16);
    }

    /**
     * Float to IEEE half bits, round to nearest even. {@code s = |v|·2¹⁴} is brought into [1, 2) by five
     * exact halvings steps (16, 8, 4, 2, 1 binades), counting the biased exponent minus one in {@code e};
     * below 2⁻¹⁴ (half subnormals) s stays below 1 and e at 0. Then {@code m = s·2¹⁰} is the significand
     * with its leading bit ([1024, 2048), or [0, 1024) for subnormals), rounded to an integer r, and the bits
     * are {@code (e << 10) + r}: the leading bit lands in the exponent field, and a rounding up to 2048
     * carries into the next exponent (up to infinity) by itself.
     */
    public static int f16Bits(float v) {
        float a = v < 0f ? -v : v;
        int sign = v < 0f ? 0x8000 : 0;
        float s = a * 0x1p14f;
        int e = 0;
        if (s >= 0x1p16f) {
            s *= 0x1p-16f;
            e += 16;
        }
        if (s >= 0x1p8f) {
            s *= 0x1p-8f;
            e += 8;
        }
        if (s >= 0x1p4f) {
            s *= 0x1p-4f;
            e += 4;
        }
        if (s >= 4f) {
            s *= 0.25f;
            e += 2;
        }
        if (s >= 2f) {
            s *= 0.5f;
            e += 1;
        }
        float m = s * 1024f;
        int r = roundHalfEven(m);
        int bits = (e << 10) + r;
        // from 65520 on (halfway past 65504, the largest half) the value rounds to infinity
        bits = a >= 65520f ? 0x7C00 : bits;
        bits = v != v ? 0x7E00 : bits;
        return sign | bits;
    }

    /**
     * {@link #f16Bits} of {@code v} clamped to ±65504, the largest finite half: the halves the tensor-core
     * products read, where an infinity would turn a whole accumulator into NaN.
     */
    public static int saturatedF16Bits(float v) {
        float s = v > HALF_MAX ? HALF_MAX : v;
        s = s < -HALF_MAX ? -HALF_MAX : s;
        return f16Bits(s);
    }

    /**
     * Float to bfloat16 bits, round to nearest even: {@code |v|} brought into [1, 2) by exact scalings of
     * 64, 32, …, 1 binades up or down (its exponent in e), then {@code m = s·2⁷} rounded to r in
     * [128, 256] and the bits {@code ((e + 126) << 7) + r} (a rounding up to 256 carries into the exponent,
     * up to infinity).
     */
    public static int bf16Bits(float v) {
        float a = v < 0f ? -v : v;
        int sign = v < 0f ? 0x8000 : 0;
        float s = a;
        int e = 0;
        if (s >= 1f) {
            if (s >= 0x1p64f) {
                s *= 0x1p-64f;
                e += 64;
            }
            if (s >= 0x1p32f) {
                s *= 0x1p-32f;
                e += 32;
            }
            if (s >= 0x1p16f) {
                s *= 0x1p-16f;
                e += 16;
            }
            if (s >= 0x1p8f) {
                s *= 0x1p-8f;
                e += 8;
            }
            if (s >= 0x1p4f) {
                s *= 0x1p-4f;
                e += 4;
            }
            if (s >= 4f) {
                s *= 0.25f;
                e += 2;
            }
            if (s >= 2f) {
                s *= 0.5f;
                e += 1;
            }
        } else {
            if (s < 0x1p-63f) {
                s *= 0x1p64f;
                e -= 64;
            }
            if (s < 0x1p-31f) {
                s *= 0x1p32f;
                e -= 32;
            }
            if (s < 0x1p-15f) {
                s *= 0x1p16f;
                e -= 16;
            }
            if (s < 0x1p-7f) {
                s *= 0x1p8f;
                e -= 8;
            }
            if (s < 0x1p-3f) {
                s *= 0x1p4f;
                e -= 4;
            }
            if (s < 0.5f) {
                s *= 4f;
                e -= 2;
            }
            if (s < 1f) {
                s *= 2f;
                e -= 1;
            }
        }
        int r = roundHalfEven(s * 128f);
        int bits = ((e + 126) << 7) + r;
        bits = a < 0x1p-126f ? 0 : bits;
        bits = a > Float.MAX_VALUE ? 0x7F80 : bits;
        bits = v != v ? 0x7FC0 : bits;
        return sign | bits;
    }

    /** {@code m ≥ 0} (below 2²³) rounded to the nearest integer, ties to even; exact in float arithmetic. */
    private static int roundHalfEven(float m) {
        int r = (int) m;
        float f = m - r;
        int up = f > 0.5f || (f == 0.5f && (r & 1) == 1) ? 1 : 0;
        return r + up;
    }
}
