package org.dsv3.tornado.kernels;

import uk.ac.manchester.tornado.api.math.TornadoMath;

/** SiLU, {@code g·σ(g) = g / (1 + e^−g)} (docs/architecture.md §5.2), as every SwiGLU kernel applies it. */
public final class Silu {
    /**
     * Largest exponent taken: {@code e^80} is finite in float (≈ 5.5e34) and beyond it SiLU is 0 to within
     * {@code 80·e^−80}; an unbounded {@code e^−g} for {@code g < −88.7} overflows, and some OpenCL builds (PoCL
     * measured) then return NaN for the quotient where Java returns −0.
     */
    static final float MAX_EXPONENT = 80f;

    private Silu() {
    }

    /** {@code g / (1 + e^−g)}, the exponent capped at {@link #MAX_EXPONENT}. */
    public static float of(float g) {
        return g / (1f + TornadoMath.exp(TornadoMath.min(-g, MAX_EXPONENT)));
    }
}
