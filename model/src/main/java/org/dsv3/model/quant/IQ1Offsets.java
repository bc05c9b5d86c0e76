package org.dsv3.model.quant;

/**
 * The IQ1 grid points with their ±1/8 offset, scaled by 8 to stay integers: {@code 8g + 1} and
 * {@code 8g − 1} for each value g ∈ {−1, 0, 1} of {@link IQuantGrids#IQ1S}, packed 8 to a long.
 * With the block factor divided by 8 ({@link #EIGHTH}, exact in binary) the product is exactly
 * ggml's {@code dl·(g ± 1/8)}.
 */
final class IQ1Offsets {
    static final float EIGHTH = 0.125f;
    static final long[] PLUS = offset(+1);
    static final long[] MINUS = offset(-1);

    private IQ1Offsets() {
    }

    private static long[] offset(int delta) {
        long[] out = new long[IQuantGrids.IQ1S.length];
        for (int i = 0; i < out.length; i++) {
            long packed = 0;
            for (int j = 0; j < 8; j++) {
                packed |= ((8 * IQuantGrids.value(IQuantGrids.IQ1S[i], j) + delta) & 0xFFL) << (8 * j);
            }
            out[i] = packed;
        }
        return out;
    }
}
