package org.dsv3.cpu;

import java.lang.foreign.Arena;
import org.dsv3.model.arch.LegacyKvB;
import org.dsv3.model.arch.Router;
import org.dsv3.model.arch.YarnRope;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.LayerTensors;
import org.dsv3.model.config.ModelTensors;
import org.dsv3.model.config.TensorSpec;

/**
 * Builds the CPU forward pass from a checked model, following its tensor description
 * ({@link ModelTensors}): every matrix stays in the memory map in its stored type; only 1-D vectors
 * (norm gains, selection biases) are read onto the heap, and legacy {@code attn_kv_b} tensors are split
 * once ({@link LegacyKvB}).
 */
public final class CpuModelLoader {
    private final CheckedModel model;
    private final DeepSeekConfig c;
    private final MatMul mm;
    private final Arena arena;

    private CpuModelLoader(CheckedModel model, MatMul mm, Arena arena) {
        this.model = model;
        this.c = model.config();
        this.mm = mm;
        this.arena = arena;
    }

    /** Wires the model; {@code arena} holds the legacy split. */
    public static DeepSeekTransformer load(CheckedModel model, MatMul mm, Arena arena) {
        return new CpuModelLoader(model, mm, arena).build();
    }

    private DeepSeekTransformer build() {
        ModelTensors t = model.tensors();
        YarnRope rope = YarnRope.of(c);
        TransformerBlock[] blocks = new TransformerBlock[t.layers().size()];
        for (int i = 0; i < blocks.length; i++) {
            LayerTensors l = t.layer(i);
            MlaAttention attention = new MlaAttention(c, attentionWeights(l), rope, mm);
            FeedForward ffn = l.moe() ? moe(l) : new SwiGlu(matrix(l.gate()), matrix(l.up()), matrix(l.down()), mm);
            blocks[i] = new TransformerBlock(i, vector(l.attnNorm()), attention, vector(l.ffnNorm()), ffn, c.rmsEps());
        }
        return new DeepSeekTransformer(c, matrix(t.embedding()), blocks, vector(t.outputNorm()), matrix(t.output()), mm);
    }

    private MlaAttention.Weights attentionWeights(LayerTensors l) {
        WeightMatrix kB;
        WeightMatrix vB;
        if (l.kvB() == null) {
            kB = matrix(l.kB());
            vB = matrix(l.vB());
        } else {
            LegacyKvB.Split s = LegacyKvB.split(model.tensor(l.kvB()), c);
            kB = WeightMatrix.ofFloats(l.kB().name(), s.kB(), s.kBRows(), s.kBCols(), arena);
            vB = WeightMatrix.ofFloats(l.vB().name(), s.vB(), s.vBRows(), s.vBCols(), arena);
        }
        boolean lora = l.qA() != null;
        return new MlaAttention.Weights(
                lora ? matrix(l.qA()) : null,
                lora ? vector(l.qANorm()) : null,
                lora ? matrix(l.qB()) : null,
                lora ? null : matrix(l.q()),
                matrix(l.kvA()),
                vector(l.kvANorm()),
                kB, vB,
                matrix(l.out()));
    }

    private MoeLayer moe(LayerTensors l) {
        float[] bias = l.bias() != null ? vector(l.bias()) : null;
        WeightMatrix gate = matrix(l.gateExps());
        WeightMatrix up = matrix(l.upExps());
        WeightMatrix down = matrix(l.downExps());
        int f = c.expertFfnDim();
        int d = c.dim();
        SwiGlu[] experts = new SwiGlu[c.expertCount()];
        for (int e = 0; e < experts.length; e++) {
            experts[e] = new SwiGlu(gate.rowSlice(e * f, f), up.rowSlice(e * f, f), down.rowSlice(e * d, d), mm);
        }
        SwiGlu shared = l.gateShared() != null ? new SwiGlu(matrix(l.gateShared()), matrix(l.upShared()),
                matrix(l.downShared()), mm) : null;
        return new MoeLayer(matrix(l.router()), Router.of(c, bias), experts, shared, mm);
    }

    private WeightMatrix matrix(TensorSpec t) {
        return WeightMatrix.of(model.tensor(t));
    }

    private float[] vector(TensorSpec t) {
        return matrix(t).toFloats();
    }
}
