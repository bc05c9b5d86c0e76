package org.dsv3.model.config;

/**
 * What to do about group-limited routing (docs/architecture.md §5.4) when a V3-style file lacks the
 * {@code expert_group_count} keys.
 */
public enum GroupRouting {
    /** Use the file's keys; for a V3-style file without them (256 experts, sigmoid, selection bias) use the reference 8 groups / 4 kept. */
    AUTO,
    /** Never group: plain top-k over all experts (what llama.cpp does with such files). */
    OFF
}
