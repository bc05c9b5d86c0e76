package org.dsv3.model.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors a DeepSeek file must hold for a given configuration, with their ggml-order shapes
 * (docs/architecture.md §2). Used to check a file completely before any computation.
 */
public final class TensorSchema {
    /** One expected tensor; {@code optional} tensors may be absent but must have this shape when present. */
    public record Expected(String name, long[] dims, boolean optional) {
    }

    private TensorSchema() {
    }

    public static List<Expected> expectedTensors(DeepSeekConfig c) {
        List<Expected> list = new ArrayList<>();
        int d = c.dim();
        int h = c.headCount();
        list.add(req("token_embd.weight", d, c.vocabSize()));
        list.add(req("output_norm.weight", d));
        list.add(req("output.weight", d, c.vocabSize()));
        for (int i = 0; i < c.mainBlockCount(); i++) {
            String b = "blk." + i + ".";
            list.add(req(b + "attn_norm.weight", d));
            if (c.hasQLora()) {
                list.add(req(b + "attn_q_a.weight", d, c.qLoraRank()));
                list.add(req(b + "attn_q_a_norm.weight", c.qLoraRank()));
                list.add(req(b + "attn_q_b.weight", c.qLoraRank(), (long) h * c.qkHeadDim()));
            } else {
                list.add(req(b + "attn_q.weight", d, (long) h * c.qkHeadDim()));
            }
            list.add(req(b + "attn_kv_a_mqa.weight", d, c.kvLoraRank() + c.qkRopeDim()));
            list.add(req(b + "attn_kv_a_norm.weight", c.kvLoraRank()));
            if (c.attentionLayout() == AttentionLayout.MLA) {
                list.add(req(b + "attn_k_b.weight", c.qkNopeDim(), c.kvLoraRank(), h));
                list.add(req(b + "attn_v_b.weight", c.kvLoraRank(), c.vHeadDim(), h));
            } else {
                list.add(req(b + "attn_kv_b.weight", c.kvLoraRank(), (long) h * (c.qkNopeDim() + c.vHeadDim())));
            }
            list.add(req(b + "attn_output.weight", (long) h * c.vHeadDim(), d));
            list.add(req(b + "ffn_norm.weight", d));
            if (!c.isMoeBlock(i)) {
                list.add(req(b + "ffn_gate.weight", d, c.ffnDim()));
                list.add(req(b + "ffn_up.weight", d, c.ffnDim()));
                list.add(req(b + "ffn_down.weight", c.ffnDim(), d));
            } else {
                int e = c.expertCount();
                int fe = c.expertFfnDim();
                list.add(req(b + "ffn_gate_inp.weight", d, e));
                if (c.hasSelectionBias()) {
                    list.add(req(b + "exp_probs_b.bias", e));
                }
                list.add(req(b + "ffn_gate_exps.weight", d, fe, e));
                list.add(req(b + "ffn_up_exps.weight", d, fe, e));
                list.add(req(b + "ffn_down_exps.weight", fe, d, e));
                if (c.sharedExpertCount() > 0) {
                    list.add(req(b + "ffn_gate_shexp.weight", d, c.sharedFfnDim()));
                    list.add(req(b + "ffn_up_shexp.weight", d, c.sharedFfnDim()));
                    list.add(req(b + "ffn_down_shexp.weight", c.sharedFfnDim(), d));
                }
            }
        }
        return list;
    }

    private static Expected req(String name, long... dims) {
        return new Expected(name, dims, false);
    }
}
