package org.dsv3.cpu;

/**
 * How the CPU engine forms matrix–vector products in decode.
 */
public enum DotMode {
    /**
     * Float32 activations against the exactly dequantized weights: the path the conformance tests
     * hold to 1e-4 of the reference logits.
     */
    EXACT,
    /**
     * In the FFN (dense, shared and routed experts: about four fifths of the weights a V2-Lite
     * token reads), decode activations are rounded to 8-bit blocks once per product and multiplied
     * with the quantized weights in integer lanes, where the weight type has such a kernel (Q8_0,
     * Q5_0, Q4_K, Q6_K), as llama.cpp does for every product. Attention, the router and the output head
     * keep float32 activations: rounding attention too moved the logits of the tiny reference
     * model twice as far from the exact result (0.16 against 0.074 on tiny-v3 Q8_0 case 0;
     * llama.cpp: 0.14), and rounding the head's input changed the tiny model's greedy stream
     * (top-1 agreement 0.933 instead of 1.0 on tiny-v3 Q8_0 case 0). Tested against llama.cpp's
     * recorded deviation ({@code Int8ReferenceLogitsTest}).
     */
    INT8;

    /** The mode named by a {@code cpu:MODE} device detail: empty (the default, INT8), {@code int8} or {@code exact}. */
    public static DotMode ofDetail(String detail) {
        return switch (detail.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "", "int8" -> INT8;
            case "exact" -> EXACT;
            default -> throw new IllegalArgumentException("the cpu device takes 'exact' or 'int8' after 'cpu:', not '"
                    + detail + "'");
        };
    }
}
