package org.dsv3.model.config;

/** How router logits become expert scores (docs/architecture.md §5.3 step 2; GGUF {@code expert_gating_func}). */
public enum Gating {
    /** Softmax over all experts: DeepSeek-V2, V2-Lite (id 1, and the meaning of an absent key). */
    SOFTMAX,
    /** Independent sigmoid per expert: DeepSeek-V3/R1, Kimi-K2, Moonlight (id 2). */
    SIGMOID;

    static Gating fromGgufId(int id) {
        return switch (id) {
            case 1 -> SOFTMAX;
            case 2 -> SIGMOID;
            default -> throw new IllegalArgumentException("expert_gating_func " + id + " is not supported (1 = softmax, 2 = sigmoid)");
        };
    }
}
