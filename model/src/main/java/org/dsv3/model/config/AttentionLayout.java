package org.dsv3.model.config;

/** How a file stores the MLA up-projection (docs/architecture.md §1.3, §2.3). */
public enum AttentionLayout {
    /** Split per-head {@code attn_k_b} / {@code attn_v_b} (llama.cpp files since April 2025). */
    MLA,
    /** One {@code attn_kv_b} per layer (early V3/R1 uploads); split into the absorbed form at load. */
    LEGACY_KV_B
}
