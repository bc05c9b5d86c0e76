package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.utils.QuantizationUtils;

/**
 * The integer side of the decode products over 8-bit activations: rounding a value to its 8-bit quant,
 * and the dot product of four signed 8-bit values packed in a 32-bit word with four others.
 *
 * <p>{@link #dot4} is written out in byte products and compiles everywhere; {@link #dp4a} is PTX's
 * {@code dp4a.s32.s32}, one instruction. TornadoVM's OpenCL backend refuses the latter while it parses a
 * kernel (even in a branch never taken), so the kernels that use it are compiled twice: from the source,
 * calling {@link #dot4}, and as a generated copy that calls {@link #dp4a} (the build writes
 * {@code NormMatVecDp4a} from {@code NormMatVec}, see this module's pom), which only PTX devices run.
 */
public final class Int8Dot {
    /** Values per activation block: one scale per 32 values, as Q8_0 weights have. */
    public static final int BLOCK = 32;
    /** Largest quant magnitude. */
    public static final int MAX_QUANT = 127;

    private Int8Dot() {
    }

    /** {@code acc + Σ_k a_k·b_k} over the four signed bytes of {@code a} and {@code b}, in byte products. */
    public static int dot4(int a, int b, int acc) {
        return acc + RawBytes.signedByte(a, 0) * RawBytes.signedByte(b, 0)
                + RawBytes.signedByte(a, 1) * RawBytes.signedByte(b, 1)
                + RawBytes.signedByte(a, 2) * RawBytes.signedByte(b, 2)
                + RawBytes.signedByte(a, 3) * RawBytes.signedByte(b, 3);
    }

    /** {@link #dot4} as PTX's {@code dp4a} instruction (PTX devices only). */
    public static int dp4a(int a, int b, int acc) {
        return QuantizationUtils.dp4a_packed(a, b, acc);
    }

    /**
     * {@code v} (a value already divided by its block's scale) rounded to the nearest integer, halves away
     * from zero, and clamped to ±{@link #MAX_QUANT}: the rounding of the CPU engine's {@code Q8Blocks} (and of
     * ggml's 8-bit activation blocks). Truncation then the fraction, which is exact in float, so that no
     * sum is rounded on the way.
     */
    public static int quant(float v) {
        int t = (int) v;
        float frac = v - t;
        int q = t + (frac >= 0.5f ? 1 : 0) - (frac <= -0.5f ? 1 : 0);
        return q > MAX_QUANT ? MAX_QUANT : q < -MAX_QUANT ? -MAX_QUANT : q;
    }

    /** The low 8 bits of {@code q} at byte {@code k} of a word. */
    public static int pack(int q, int k) {
        return (q & 0xFF) << (8 * k);
    }
}
