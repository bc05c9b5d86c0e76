package org.dsv3.model;

import org.dsv3.model.config.AttentionLayout;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.Gating;

/** Hand-built configurations with the published hyperparameters (docs/architecture.md §1.2). */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** DeepSeek-V3 / R1 (671B), as an MLA file with group keys; {@code yarn_log_multiplier} 0.1. */
    public static DeepSeekConfig v3() {
        return new DeepSeekConfig("DeepSeek-V3", 61, 61, 163840, 7168, 18432, 128, 1536, 512, 128, 64, 128,
                1e-6f, 1e-6f, 10000f, true, 40f, 4096, 0.1f / 0.1f, 32f, 1f,
                3, 256, 8, 1, 2048, 2.5f, true, Gating.SIGMOID, 8, 4, true, AttentionLayout.MLA, 129280);
    }

    /** DeepSeek-V2-Lite (16B): no q-LoRA, softmax gating, {@code yarn_log_multiplier} 0.0707. */
    public static DeepSeekConfig v2Lite() {
        return new DeepSeekConfig("DeepSeek-V2-Lite", 27, 27, 163840, 2048, 10944, 16, 0, 512, 128, 64, 128,
                1e-6f, 1e-6f, 10000f, true, 40f, 4096, 0.0707f / 0.1f, 32f, 1f,
                1, 64, 6, 2, 1408, 1.0f, false, Gating.SOFTMAX, 1, 1, false, AttentionLayout.MLA, 102400);
    }

    /** Kimi-K2-Instruct 0711: rope base 50000, factor 32. */
    public static DeepSeekConfig kimiK2() {
        return new DeepSeekConfig("Kimi-K2", 61, 61, 131072, 7168, 18432, 64, 1536, 512, 128, 64, 128,
                1e-6f, 1e-6f, 50000f, true, 32f, 4096, 0.1f / 0.1f, 32f, 1f,
                1, 384, 8, 1, 2048, 2.827f, true, Gating.SIGMOID, 1, 1, true, AttentionLayout.MLA, 163840);
    }

    /** A small random-weights shape for attention tests. */
    public static DeepSeekConfig small(int qLoraRank) {
        return new DeepSeekConfig("small", 1, 1, 4096, 24, 32, 3, qLoraRank, 16, 8, 6, 10,
                1e-6f, 1e-6f, 10000f, true, 40f, 64, 1.0f, 32f, 1f,
                1, 0, 0, 0, 0, 1f, false, Gating.SIGMOID, 1, 1, false, AttentionLayout.MLA, 50);
    }
}
