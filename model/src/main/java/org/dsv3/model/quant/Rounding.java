package org.dsv3.model.quant;

/** The two rounding rules ggml's quantizers use. */
final class Rounding {
    private Rounding() {
    }

    /** C's {@code roundf}: to nearest, halves away from zero. */
    static int roundHalfAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /** ggml's {@code nearest_int}: to nearest, halves to even (the float magic-number trick). */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }
}
