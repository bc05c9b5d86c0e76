package org.dsv3.cpu;

import java.lang.foreign.Arena;
import org.dsv3.model.config.AttentionLayout;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufModel;

/**
 * Builds the CPU forward pass from a GGUF model: every matrix stays in the memory map in its stored
 * type; only 1-D vectors (norm gains, selection biases) are read onto the heap, and legacy
 * {@code attn_kv_b} tensors are split once ({@link LegacyKvB}). Tensor names: docs/architecture.md §2.
 */
public final class CpuModelLoader {
    private final GgufModel model;
    private final DeepSeekConfig c;
    private final MatMul mm;
    private final Arena arena;

    private CpuModelLoader(GgufModel model, DeepSeekConfig c, MatMul mm, Arena arena) {
        this.model = model;
        this.c = c;
        this.mm = mm;
        this.arena = arena;
    }

    /** Checks the file against the configuration and wires the model; {@code arena} holds the legacy split. */
    public static DeepSeekTransformer load(GgufModel model, DeepSeekConfig config, MatMul mm, Arena arena) {
        ModelValidator.check(model, config);
        return new CpuModelLoader(model, config, mm, arena).build();
    }

    private DeepSeekTransformer build() {
        YarnRope rope = YarnRope.of(c);
        TransformerBlock[] blocks = new TransformerBlock[c.mainBlockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "blk." + i + ".";
            MlaAttention attention = new MlaAttention(c, attentionWeights(b), rope, mm);
            FeedForward ffn = c.isMoeBlock(i) ? moe(b) : new SwiGlu(matrix(b + "ffn_gate.weight"),
                    matrix(b + "ffn_up.weight"), matrix(b + "ffn_down.weight"), mm);
            blocks[i] = new TransformerBlock(i, vector(b + "attn_norm.weight"), attention,
                    vector(b + "ffn_norm.weight"), ffn, c.rmsEps());
        }
        return new DeepSeekTransformer(c, matrix("token_embd.weight"), blocks, vector("output_norm.weight"),
                matrix("output.weight"), mm);
    }

    private MlaAttention.Weights attentionWeights(String b) {
        WeightMatrix kB;
        WeightMatrix vB;
        if (c.attentionLayout() == AttentionLayout.MLA) {
            kB = matrix(b + "attn_k_b.weight");
            vB = matrix(b + "attn_v_b.weight");
        } else {
            WeightMatrix[] split = LegacyKvB.split(matrix(b + "attn_kv_b.weight"), c, arena);
            kB = split[0];
            vB = split[1];
        }
        boolean lora = c.hasQLora();
        return new MlaAttention.Weights(
                lora ? matrix(b + "attn_q_a.weight") : null,
                lora ? vector(b + "attn_q_a_norm.weight") : null,
                lora ? matrix(b + "attn_q_b.weight") : null,
                lora ? null : matrix(b + "attn_q.weight"),
                matrix(b + "attn_kv_a_mqa.weight"),
                vector(b + "attn_kv_a_norm.weight"),
                kB, vB,
                matrix(b + "attn_output.weight"));
    }

    private MoeLayer moe(String b) {
        float[] bias = c.hasSelectionBias() ? vector(b + "exp_probs_b.bias") : null;
        WeightMatrix gate = matrix(b + "ffn_gate_exps.weight");
        WeightMatrix up = matrix(b + "ffn_up_exps.weight");
        WeightMatrix down = matrix(b + "ffn_down_exps.weight");
        int f = c.expertFfnDim();
        int d = c.dim();
        SwiGlu[] experts = new SwiGlu[c.expertCount()];
        for (int e = 0; e < experts.length; e++) {
            experts[e] = new SwiGlu(gate.rowSlice(e * f, f), up.rowSlice(e * f, f), down.rowSlice(e * d, d), mm);
        }
        SwiGlu shared = c.sharedExpertCount() > 0 ? new SwiGlu(matrix(b + "ffn_gate_shexp.weight"),
                matrix(b + "ffn_up_shexp.weight"), matrix(b + "ffn_down_shexp.weight"), mm) : null;
        return new MoeLayer(matrix(b + "ffn_gate_inp.weight"), Router.of(c, bias), experts, shared, mm);
    }

    private WeightMatrix matrix(String name) {
        return WeightMatrix.of(model.tensor(name));
    }

    private float[] vector(String name) {
        return matrix(name).toFloats();
    }
}
