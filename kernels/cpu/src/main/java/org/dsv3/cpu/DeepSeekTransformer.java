package org.dsv3.cpu;

import org.dsv3.model.backend.Logits;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * The whole forward pass (docs/architecture.md §6): token embedding (no scaling), the blocks, the final
 * RMSNorm and the untied output head.
 */
public final class DeepSeekTransformer {
    private final DeepSeekConfig config;
    private final WeightMatrix embedding;
    private final TransformerBlock[] blocks;
    private final float[] outputNorm;
    private final WeightMatrix output;
    private final MatMul mm;

    public DeepSeekTransformer(DeepSeekConfig config, WeightMatrix embedding, TransformerBlock[] blocks,
                               float[] outputNorm, WeightMatrix output, MatMul mm) {
        this.config = config;
        this.embedding = embedding;
        this.blocks = blocks;
        this.outputNorm = outputNorm;
        this.output = output;
        this.mm = mm;
    }

    public DeepSeekConfig config() {
        return config;
    }

    public int blockCount() {
        return blocks.length;
    }

    /**
     * Runs {@code tokens} at positions {@code start …}, appending to {@code cache}; returns
     * {@code [T][vocab]} or the last row only.
     */
    public float[] forward(int[] tokens, int start, LatentKvCache cache, Logits which) {
        int t = tokens.length;
        int d = config.dim();
        float[] h = new float[t * d];
        for (int i = 0; i < t; i++) {
            if (tokens[i] < 0 || tokens[i] >= embedding.rows()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " is outside the vocabulary (0…"
                        + (embedding.rows() - 1) + ")");
            }
            embedding.dequantizeRow(tokens[i], h, i * d);
        }
        for (TransformerBlock b : blocks) {
            b.forward(h, t, start, cache);
        }
        int rows = which == Logits.ALL_POSITIONS ? t : 1;
        float[] last = new float[rows * d];
        System.arraycopy(h, (t - rows) * d, last, 0, rows * d);
        return mm.apply(output, RmsNorm.rows(last, rows, outputNorm, config.rmsEps()), rows);
    }
}
