package org.dsv3.model.synth;

import java.util.Locale;
import org.dsv3.model.config.AttentionLayout;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.Gating;

/**
 * The real dimensions of the models of the family (docs/architecture.md §1.2), for writing synthetic
 * benchmark files. Only the shapes and hyperparameters are real; the weights are random.
 */
public enum SyntheticArchitecture {
    V2_LITE("DeepSeek-V2-Lite", 27, 2048, 10944, 16, 0, 64, 6, 2, 1408, 1, 1, 1f, false, 1, 1, false,
            102400, true, 40f, 0.0707f, 10000f, 1e-6f, 163840),
    MOONLIGHT("Moonlight-16B-A3B", 27, 2048, 11264, 16, 0, 64, 6, 2, 1408, 1, 2, 2.446f, true, 1, 1, true,
            163840, false, 1f, 0f, 50000f, 1e-5f, 8192),
    V3("DeepSeek-V3", 61, 7168, 18432, 128, 1536, 256, 8, 1, 2048, 3, 2, 2.5f, true, 8, 4, true,
            129280, true, 40f, 0.1f, 10000f, 1e-6f, 163840),
    KIMI_K2("Kimi-K2", 61, 7168, 18432, 64, 1536, 384, 8, 1, 2048, 1, 2, 2.827f, true, 1, 1, true,
            163840, true, 32f, 0.1f, 50000f, 1e-6f, 131072);

    public static final int KV_LORA_RANK = 512;
    public static final int QK_NOPE = 128;
    public static final int QK_ROPE = 64;
    public static final int V_HEAD = 128;

    final String label;
    final int layers;
    final int dim;
    final int ffn;
    final int heads;
    final int qLoraRank;
    final int experts;
    final int expertsUsed;
    final int shared;
    final int expertFfn;
    final int dense;
    final int gatingFunc;
    final float routedScale;
    final boolean normTopK;
    final int groups;
    final int groupsUsed;
    final boolean selectionBias;
    final int vocab;
    final boolean yarn;
    final float yarnFactor;
    final float yarnLogMultiplier;
    final float ropeBase;
    final float rmsEps;
    final int context;

    SyntheticArchitecture(String label, int layers, int dim, int ffn, int heads, int qLoraRank, int experts, int expertsUsed,
                          int shared, int expertFfn, int dense, int gatingFunc, float routedScale, boolean normTopK, int groups,
                          int groupsUsed, boolean selectionBias, int vocab, boolean yarn, float yarnFactor,
                          float yarnLogMultiplier, float ropeBase, float rmsEps, int context) {
        this.label = label;
        this.layers = layers;
        this.dim = dim;
        this.ffn = ffn;
        this.heads = heads;
        this.qLoraRank = qLoraRank;
        this.experts = experts;
        this.expertsUsed = expertsUsed;
        this.shared = shared;
        this.expertFfn = expertFfn;
        this.dense = dense;
        this.gatingFunc = gatingFunc;
        this.routedScale = routedScale;
        this.normTopK = normTopK;
        this.groups = groups;
        this.groupsUsed = groupsUsed;
        this.selectionBias = selectionBias;
        this.vocab = vocab;
        this.yarn = yarn;
        this.yarnFactor = yarnFactor;
        this.yarnLogMultiplier = yarnLogMultiplier;
        this.ropeBase = ropeBase;
        this.rmsEps = rmsEps;
        this.context = context;
    }

    /** Parses the CLI name: {@code v2-lite}, {@code moonlight}, {@code v3}, {@code kimi-k2}. */
    public static SyntheticArchitecture parse(String s) {
        for (SyntheticArchitecture a : values()) {
            if (a.cliName().equals(s.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + s + "' (v2-lite, moonlight, v3, kimi-k2)");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String label() {
        return label;
    }

    public int layers() {
        return layers;
    }

    /**
     * The configuration a file of this architecture with {@code blocks} blocks and a vocabulary of
     * {@code vocabSize} reads as: the same values {@link SyntheticModelWriter} writes as metadata.
     */
    DeepSeekConfig config(int blocks, int vocabSize) {
        boolean scaled = yarn && yarnFactor > 1f;
        return new DeepSeekConfig("synthetic " + label, blocks, blocks, context, dim, ffn, heads, qLoraRank,
                KV_LORA_RANK, QK_NOPE, QK_ROPE, V_HEAD, rmsEps, 1e-6f, ropeBase, scaled, scaled ? yarnFactor : 1f,
                yarn ? 4096 : context, yarn ? yarnLogMultiplier / 0.1f : 0f, 32f, 1f, dense, experts, expertsUsed, shared,
                expertFfn, routedScale, normTopK, gatingFunc == 2 ? Gating.SIGMOID : Gating.SOFTMAX, groups, groupsUsed,
                selectionBias, AttentionLayout.MLA, vocabSize);
    }
}
