package org.dsv3.tornado.tasks;

/**
 * Which of decode's products multiply 8-bit activation blocks ({@code NormMatVec}'s int8 paths, Q8_0 weights
 * only): {@code -Ddsv3.tornado.int8=false|routed|true}. Unset, the plan takes {@link #ALL} where the integer dots
 * compile to PTX's {@code dp4a} (measured faster on the H200) and {@link #OFF} elsewhere ({@link PlanOptions}).
 */
enum Int8Ffn {
    /** Every product on float activations (the exact path). */
    OFF,
    /** The routed experts' gate/up products only. */
    ROUTED,
    /** The routed experts', the shared experts' and the dense FFN's gate/up products. */
    ALL;

    static final String PROPERTY = "dsv3.tornado.int8";

    /** The choice {@code value} names; {@code byDefault} when it is unset or blank. */
    static Int8Ffn parse(String value, Int8Ffn byDefault) {
        if (value == null || value.isBlank()) {
            return byDefault;
        }
        if (value.strip().equalsIgnoreCase("false")) {
            return OFF;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "all" -> ALL;
            case "routed" -> ROUTED;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " takes false, routed or true, not '" + value + "'");
        };
    }

    boolean routed() {
        return this != OFF;
    }

    boolean sharedAndDense() {
        return this == ALL;
    }
}
