package org.dsv3.runner;

/**
 * The roles a weight tensor plays in a DeepSeek-family block (architecture doc §2), for reporting
 * what the bits of a mixed file are spent on: quantization mixes such as the 1.5-bit "dynamic" ones
 * give each role its own type.
 */
enum TensorClass {
    ROUTED_GATE_UP("routed experts gate/up"),
    ROUTED_DOWN("routed experts down"),
    SHARED_EXPERTS("shared experts"),
    DENSE_FFN("dense FFN"),
    ATTENTION("attention"),
    EMBEDDING("token embedding"),
    OUTPUT("output head"),
    ROUTER_AND_NORMS("router, norms, biases");

    final String label;

    TensorClass(String label) {
        this.label = label;
    }

    /** The class of the tensor named {@code name}. */
    static TensorClass of(String name) {
        if (name.contains("_exps")) {
            return name.contains("ffn_down") ? ROUTED_DOWN : ROUTED_GATE_UP;
        }
        if (name.contains("_shexp")) {
            return SHARED_EXPERTS;
        }
        if (name.contains("ffn_gate_inp") || name.contains("norm") || name.endsWith(".bias")) {
            return ROUTER_AND_NORMS;
        }
        if (name.contains("ffn_")) {
            return DENSE_FFN;
        }
        if (name.contains("attn_")) {
            return ATTENTION;
        }
        if (name.startsWith("token_embd")) {
            return EMBEDDING;
        }
        return name.startsWith("output") ? OUTPUT : ROUTER_AND_NORMS;
    }
}
