package org.dsv3.model.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The tensors of one transformer block, with their shapes, as the configuration calls for them
 * (docs/architecture.md §2). A field is {@code null} when the block's variant has no such tensor: no
 * q-LoRA ({@code q} instead of {@code qA/qANorm/qB}), a dense block (no router or experts), a MoE
 * block (no dense {@code gate/up/down}), no selection bias, no shared experts. {@code kB}/{@code vB}
 * are always there: read from the file, or {@linkplain TensorSpec#derived() derived} from {@code kvB}
 * in a legacy file.
 */
public record LayerTensors(int index, TensorSpec attnNorm,
                           TensorSpec qA, TensorSpec qANorm, TensorSpec qB, TensorSpec q,
                           TensorSpec kvA, TensorSpec kvANorm, TensorSpec kB, TensorSpec vB, TensorSpec kvB,
                           TensorSpec out, TensorSpec ffnNorm,
                           TensorSpec router, TensorSpec bias,
                           TensorSpec gateExps, TensorSpec upExps, TensorSpec downExps,
                           TensorSpec gateShared, TensorSpec upShared, TensorSpec downShared,
                           TensorSpec gate, TensorSpec up, TensorSpec down) {

    /** Block {@code i} of configuration {@code c}. */
    public static LayerTensors of(DeepSeekConfig c, int i) {
        long d = c.dim();
        long h = c.headCount();
        long qk = c.qkHeadDim();
        boolean lora = c.hasQLora();
        boolean legacy = c.attentionLayout() == AttentionLayout.LEGACY_KV_B;
        boolean moe = c.isMoeBlock(i);
        boolean shared = moe && c.sharedExpertCount() > 0;
        long e = c.expertCount();
        long fe = c.expertFfnDim();
        long fs = c.sharedFfnDim();
        long f = c.ffnDim();
        return new LayerTensors(i,
                at(TensorKind.ATTN_NORM, i, true, d),
                at(TensorKind.ATTN_Q_A, i, lora, d, c.qLoraRank()),
                at(TensorKind.ATTN_Q_A_NORM, i, lora, c.qLoraRank()),
                at(TensorKind.ATTN_Q_B, i, lora, c.qLoraRank(), h * qk),
                at(TensorKind.ATTN_Q, i, !lora, d, h * qk),
                at(TensorKind.ATTN_KV_A_MQA, i, true, d, c.kvCacheWidth()),
                at(TensorKind.ATTN_KV_A_NORM, i, true, c.kvLoraRank()),
                new TensorSpec(TensorKind.ATTN_K_B, i, new long[] {c.qkNopeDim(), c.kvLoraRank(), h}, legacy),
                new TensorSpec(TensorKind.ATTN_V_B, i, new long[] {c.kvLoraRank(), c.vHeadDim(), h}, legacy),
                at(TensorKind.ATTN_KV_B, i, legacy, c.kvLoraRank(), h * (c.qkNopeDim() + c.vHeadDim())),
                at(TensorKind.ATTN_OUTPUT, i, true, h * c.vHeadDim(), d),
                at(TensorKind.FFN_NORM, i, true, d),
                at(TensorKind.FFN_GATE_INP, i, moe, d, e),
                at(TensorKind.EXP_PROBS_B, i, moe && c.hasSelectionBias(), e),
                at(TensorKind.FFN_GATE_EXPS, i, moe, d, fe, e),
                at(TensorKind.FFN_UP_EXPS, i, moe, d, fe, e),
                at(TensorKind.FFN_DOWN_EXPS, i, moe, fe, d, e),
                at(TensorKind.FFN_GATE_SHEXP, i, shared, d, fs),
                at(TensorKind.FFN_UP_SHEXP, i, shared, d, fs),
                at(TensorKind.FFN_DOWN_SHEXP, i, shared, fs, d),
                at(TensorKind.FFN_GATE, i, !moe, d, f),
                at(TensorKind.FFN_UP, i, !moe, d, f),
                at(TensorKind.FFN_DOWN, i, !moe, f, d));
    }

    private static TensorSpec at(TensorKind kind, int block, boolean present, long... dims) {
        return present ? new TensorSpec(kind, block, dims, false) : null;
    }

    /** Whether the feed-forward is a mixture of experts. */
    public boolean moe() {
        return router != null;
    }

    /** Every tensor of the block, derived ones included, in the order llama.cpp writes them. */
    public List<TensorSpec> all() {
        List<TensorSpec> l = new ArrayList<>(Arrays.asList(attnNorm, qA, qANorm, qB, q, kvA, kvANorm, kB, vB, kvB,
                out, ffnNorm, gate, up, down, router, bias, gateExps, upExps, downExps, gateShared, upShared,
                downShared));
        l.removeIf(Objects::isNull);
        return l;
    }

    /** The tensors the file holds, in file order. */
    public List<TensorSpec> stored() {
        List<TensorSpec> l = all();
        l.removeIf(TensorSpec::derived);
        return l;
    }
}
