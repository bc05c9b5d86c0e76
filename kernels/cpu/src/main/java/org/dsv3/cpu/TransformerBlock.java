package org.dsv3.cpu;

/**
 * One pre-norm residual block (docs/architecture.md §6):
 * {@code h += MLA(RMSNorm(h, attn_norm)); h += FFN(RMSNorm(h, ffn_norm))}, the FFN dense or MoE.
 */
public final class TransformerBlock {
    private final int layer;
    private final float[] attnNorm;
    private final MlaAttention attention;
    private final float[] ffnNorm;
    private final FeedForward ffn;
    private final float eps;

    public TransformerBlock(int layer, float[] attnNorm, MlaAttention attention, float[] ffnNorm, FeedForward ffn, float eps) {
        this.layer = layer;
        this.attnNorm = attnNorm;
        this.attention = attention;
        this.ffnNorm = ffnNorm;
        this.ffn = ffn;
        this.eps = eps;
    }

    /** Updates the residual stream {@code h} ({@code [T][d]}) of tokens at positions {@code start …} in place. */
    public void forward(float[] h, int tokens, int start, LatentKvCache cache) {
        float[] a = attention.forward(RmsNorm.rows(h, tokens, attnNorm, eps), tokens, start, cache, layer);
        addInto(h, a);
        float[] f = ffn.forward(RmsNorm.rows(h, tokens, ffnNorm, eps), tokens);
        addInto(h, f);
    }

    private static void addInto(float[] h, float[] delta) {
        for (int i = 0; i < h.length; i++) {
            h[i] += delta[i];
        }
    }
}
