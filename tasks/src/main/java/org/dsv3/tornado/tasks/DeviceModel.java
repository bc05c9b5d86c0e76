package org.dsv3.tornado.tasks;

import org.dsv3.model.arch.LegacyKvB;
import org.dsv3.model.arch.TensorValues;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.LayerTensors;
import org.dsv3.model.config.ModelTensors;
import org.dsv3.model.config.TensorSpec;
import org.dsv3.tornado.kernels.LatentAttention;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.Routing;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The model's weights as host arrays ready for a single upload: every matrix as its raw GGUF bytes
 * ({@link DeviceTensor}), the 1-D gains and biases as floats, read as the model's tensor description
 * ({@link ModelTensors}) lays them out.
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
        require(c.kvLoraRank() % LatentAttention.ABSORB_ROWS == 0, "kv_lora_rank " + c.kvLoraRank() + " is not a multiple of " + LatentAttention.ABSORB_ROWS);
        require(width <= LatentAttention.MAX_WIDTH, "latent width " + width + " > " + LatentAttention.MAX_WIDTH);
        require(width % 4 == 0, "latent width " + width + " is not a multiple of 4");
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

    /** Reads every weight of the checked model into upload-ready arrays, following its tensor description. */
    static DeviceModel load(CheckedModel file) {
        DeepSeekConfig c = file.config();
        checkSupported(c);
        ModelTensors t = file.tensors();
        Layer[] layers = new Layer[t.layers().size()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = layer(file, c, t.layer(i));
        }
        // the embedding is read one value at a time (one row per token), in the file's layout
        return new DeviceModel(c, DeviceTensor.asStored(file.tensor(t.embedding())), layers, vector(file, t.outputNorm()),
                matrix(file, t.output()));
    }

    private static Layer layer(CheckedModel f, DeepSeekConfig c, LayerTensors t) {
        DeviceTensor kB;
        DeviceTensor vB;
        if (t.kvB() == null) {
            kB = matrix(f, t.kB());
            vB = matrix(f, t.vB());
        } else {
            // legacy files: W_UKᵀ and W_UV split out of attn_kv_b once, as the CPU engine does (small, F32)
            LegacyKvB.Split split = LegacyKvB.split(f.tensor(t.kvB()), c);
            kB = DeviceTensor.ofFloats(t.kB().name(), split.kB(), split.kBRows(), split.kBCols());
            vB = DeviceTensor.ofFloats(t.vB().name(), split.vB(), split.vBRows(), split.vBCols());
        }
        boolean moe = t.moe();
        return new Layer(t.index(), vector(f, t.attnNorm()),
                matrix(f, t.qA()), vector(f, t.qANorm()), matrix(f, t.qB()), matrix(f, t.q()),
                matrix(f, t.kvA()), vector(f, t.kvANorm()), kB, vB,
                matrix(f, t.out()),
                vector(f, t.ffnNorm()),
                matrix(f, t.router()), vector(f, t.bias()),
                matrix(f, t.gateExps()), matrix(f, t.upExps()), matrix(f, t.downExps()),
                matrix(f, moe ? t.gateShared() : t.gate()),
                matrix(f, moe ? t.upShared() : t.up()),
                matrix(f, moe ? t.downShared() : t.down()));
    }

    /** The tensor's bytes, or {@code null} for a tensor the block does not have. */
    private static DeviceTensor matrix(CheckedModel f, TensorSpec t) {
        return t == null ? null : DeviceTensor.of(f.tensor(t));
    }

    private static FloatArray vector(CheckedModel f, TensorSpec t) {
        return t == null ? null : FloatArray.fromArray(TensorValues.floats(f.tensor(t)));
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
