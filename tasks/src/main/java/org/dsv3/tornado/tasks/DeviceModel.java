package org.dsv3.tornado.tasks;

import java.lang.foreign.Arena;
import org.dsv3.cpu.LegacyKvB;
import org.dsv3.cpu.WeightMatrix;
import org.dsv3.model.config.AttentionLayout;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.tornado.kernels.LatentAttention;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.Routing;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The model's weights as host arrays ready for a single upload: every matrix as its raw GGUF bytes
 * ({@link DeviceTensor}), the 1-D gains and biases as floats. Tensor names: architecture doc §2.
 */
final class DeviceModel {

    /** One block's weights; fields that the block's variant does not have are {@code null}. */
    record Layer(int index, FloatArray attnNorm,
                 DeviceTensor qA, FloatArray qANorm, DeviceTensor qB, DeviceTensor q,
                 DeviceTensor kvA, FloatArray kvANorm, DeviceTensor kB, DeviceTensor vB, DeviceTensor out,
                 FloatArray ffnNorm,
                 DeviceTensor router, FloatArray bias, DeviceTensor gateExps, DeviceTensor upExps, DeviceTensor downExps,
                 DeviceTensor gate, DeviceTensor up, DeviceTensor down) {

        boolean moe() {
            return router != null;
        }

        /** Bytes of weights read for one token (routed experts: {@code used} of them). */
        long bytesPerToken(int used, int experts) {
            long b = size(qA) + size(qB) + size(q) + size(kvA) + size(kB) + size(vB) + size(out)
                    + size(router) + size(gate) + size(up) + size(down);
            if (moe()) {
                b += (size(gateExps) + size(upExps) + size(downExps)) / experts * used;
            }
            return b;
        }

        private static long size(DeviceTensor t) {
            return t == null ? 0 : t.bytes();
        }
    }

    final DeepSeekConfig config;
    final DeviceTensor embedding;
    final Layer[] layers;
    final FloatArray outputNorm;
    final DeviceTensor output;

    private DeviceModel(DeepSeekConfig config, DeviceTensor embedding, Layer[] layers, FloatArray outputNorm,
                        DeviceTensor output) {
        this.config = config;
        this.embedding = embedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
    }

    /** Checks that the kernels can run this configuration; throws IllegalArgumentException saying why not. */
    static void checkSupported(DeepSeekConfig c) {
        int width = c.kvCacheWidth();
        require(c.kvLoraRank() <= LatentAttention.MAX_RANK, "kv_lora_rank " + c.kvLoraRank() + " > " + LatentAttention.MAX_RANK);
        require(width <= LatentAttention.MAX_WIDTH, "latent width " + width + " > " + LatentAttention.MAX_WIDTH);
        require(c.vHeadDim() % MatVec.ROWS == 0, "v_head_dim " + c.vHeadDim() + " is not a multiple of " + MatVec.ROWS);
        require(c.qkRopeDim() % 2 == 0, "odd RoPE dimension " + c.qkRopeDim());
        require(c.expertCount() <= Routing.MAX_EXPERTS, c.expertCount() + " experts > " + Routing.MAX_EXPERTS);
        require(c.groupCount() <= Routing.MAX_GROUPS, c.groupCount() + " expert groups > " + Routing.MAX_GROUPS);
        require(c.expertUsedCount() <= Routing.MAX_TOP_K, c.expertUsedCount() + " experts per token > " + Routing.MAX_TOP_K);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("the TornadoVM backend does not support this model: " + what);
        }
    }

    /** Reads every weight of {@code file} (checked against {@code c}) into upload-ready arrays. */
    static DeviceModel load(GgufModel file, DeepSeekConfig c) {
        ModelValidator.check(file, c);
        checkSupported(c);
        Layer[] layers = new Layer[c.mainBlockCount()];
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < layers.length; i++) {
                layers[i] = layer(file, c, i, arena);
            }
        }
        return new DeviceModel(c, matrix(file, "token_embd.weight"), layers, vector(file, "output_norm.weight"),
                matrix(file, "output.weight"));
    }

    private static Layer layer(GgufModel f, DeepSeekConfig c, int i, Arena arena) {
        String b = "blk." + i + ".";
        DeviceTensor kB;
        DeviceTensor vB;
        if (c.attentionLayout() == AttentionLayout.MLA) {
            kB = matrix(f, b + "attn_k_b.weight");
            vB = matrix(f, b + "attn_v_b.weight");
        } else {
            // legacy files: W_UKᵀ and W_UV split out of attn_kv_b once, as the CPU engine does (small, F32)
            WeightMatrix[] split = LegacyKvB.split(WeightMatrix.of(f.tensor(b + "attn_kv_b.weight")), c, arena);
            kB = DeviceTensor.of(split[0]);
            vB = DeviceTensor.of(split[1]);
        }
        boolean lora = c.hasQLora();
        boolean moe = c.isMoeBlock(i);
        boolean shared = moe && c.sharedExpertCount() > 0;
        return new Layer(i, vector(f, b + "attn_norm.weight"),
                lora ? matrix(f, b + "attn_q_a.weight") : null,
                lora ? vector(f, b + "attn_q_a_norm.weight") : null,
                lora ? matrix(f, b + "attn_q_b.weight") : null,
                lora ? null : matrix(f, b + "attn_q.weight"),
                matrix(f, b + "attn_kv_a_mqa.weight"), vector(f, b + "attn_kv_a_norm.weight"), kB, vB,
                matrix(f, b + "attn_output.weight"),
                vector(f, b + "ffn_norm.weight"),
                moe ? matrix(f, b + "ffn_gate_inp.weight") : null,
                moe && c.hasSelectionBias() ? vector(f, b + "exp_probs_b.bias") : null,
                moe ? matrix(f, b + "ffn_gate_exps.weight") : null,
                moe ? matrix(f, b + "ffn_up_exps.weight") : null,
                moe ? matrix(f, b + "ffn_down_exps.weight") : null,
                moe ? (shared ? matrix(f, b + "ffn_gate_shexp.weight") : null) : matrix(f, b + "ffn_gate.weight"),
                moe ? (shared ? matrix(f, b + "ffn_up_shexp.weight") : null) : matrix(f, b + "ffn_up.weight"),
                moe ? (shared ? matrix(f, b + "ffn_down_shexp.weight") : null) : matrix(f, b + "ffn_down.weight"));
    }

    private static DeviceTensor matrix(GgufModel f, String name) {
        return DeviceTensor.of(f.tensor(name));
    }

    private static FloatArray vector(GgufModel f, String name) {
        return FloatArray.fromArray(WeightMatrix.of(f.tensor(name)).toFloats());
    }

    /** Bytes of weights read per token by the whole forward pass (embedding row excluded). */
    long bytesPerToken() {
        long b = output.bytes();
        for (Layer l : layers) {
            b += l.bytesPerToken(config.expertUsedCount(), Math.max(1, config.expertCount()));
        }
        return b;
    }
}
