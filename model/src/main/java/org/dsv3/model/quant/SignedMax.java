package org.dsv3.model.quant;

/** The value of largest magnitude in a range, with its sign (the first one on ties). */
final class SignedMax {
    private SignedMax() {
    }

    static float of(float[] x, int off, int n) {
        float amax = 0f;
        float max = 0f;
        for (int i = off; i < off + n; i++) {
            float a = Math.abs(x[i]);
            if (a > amax) {
                amax = a;
                max = x[i];
            }
        }
        return max;
    }
}
