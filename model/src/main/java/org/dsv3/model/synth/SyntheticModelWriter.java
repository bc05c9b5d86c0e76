package org.dsv3.model.synth;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dsv3.model.config.ModelTensors;
import org.dsv3.model.config.TensorSpec;
import org.dsv3.model.gguf.GgufArray;
import org.dsv3.model.gguf.GgufValue;
import org.dsv3.model.gguf.GgufValueType;
import org.dsv3.model.gguf.GgufWriter;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Quantizer;

/**
 * Writes a GGUF file with the real dimensions and hyperparameters of a model of the family and
 * random weights, quantized by our own quantizers — a benchmark model that needs no download.
 *
 * <p>Weights are uniform with variance 1/fan-in so activations keep a sane scale through the
 * layers. To write tens of GB quickly each tensor is assembled from a pool of distinct random
 * quantized rows (a prime number of them, picked in a scrambled order): every byte of the file is
 * still read by the engine at its own address, which is all a bandwidth benchmark needs.
 */
public final class SyntheticModelWriter {
    private static final int POOL_ROWS = 61;
    private static final String P = "deepseek2.";

    private final SyntheticArchitecture arch;
    private final int layers;
    private final QuantRecipe recipe;
    private final long seed;
    private final int vocab;

    public SyntheticModelWriter(SyntheticArchitecture arch, int layers, QuantRecipe recipe, long seed) {
        this(arch, layers, recipe, seed, arch.vocab);
    }

    /** As above with a smaller vocabulary ({@code vocab} ≥ 258), for tests that cannot afford the real embedding. */
    public SyntheticModelWriter(SyntheticArchitecture arch, int layers, QuantRecipe recipe, long seed, int vocab) {
        if (vocab < 258 || vocab > arch.vocab) {
            throw new IllegalArgumentException("vocabulary must be 258.." + arch.vocab + ", got " + vocab);
        }
        this.vocab = vocab;
        if (layers < 1 || layers > arch.layers) {
            throw new IllegalArgumentException("layers must be 1.." + arch.layers + " for " + arch.cliName() + ", got " + layers);
        }
        this.arch = arch;
        this.layers = layers;
        this.recipe = recipe;
        this.seed = seed;
    }

    /** Writes only the metadata (a vocabulary-only file): the hyperparameters without the weights. */
    public void writeMetadataOnly(Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        putMetadata(w);
        w.write(out);
    }

    public void write(Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        putMetadata(w);
        for (TensorSpec t : ModelTensors.of(arch.config(layers, vocab)).stored()) {
            if (t.kind().isNormGain()) {
                norm(w, t);
            } else {
                tensor(w, t, fanIn(t));
            }
        }
        w.write(out);
    }

    /** Values have variance 1/fan-in: the row length, except the embedding (uniform ±1) and the bias. */
    private static float fanIn(TensorSpec t) {
        return switch (t.kind()) {
            case TOKEN_EMBD -> 1f;
            case EXP_PROBS_B -> 100f;
            default -> t.rowLength();
        };
    }

    private void putMetadata(GgufWriter w) {
        w.put("general.architecture", GgufValue.string("deepseek2"));
        w.put("general.name", GgufValue.string("synthetic " + arch.label + (layers < arch.layers ? " (" + layers + " layers)" : "")
                + " " + recipe.name()));
        w.put("general.file_type", GgufValue.u32(recipe.fileType()));
        w.put("general.quantization_version", GgufValue.u32(2));
        w.put(P + "block_count", GgufValue.u32(layers));
        w.put(P + "context_length", GgufValue.u32(arch.context));
        w.put(P + "embedding_length", GgufValue.u32(arch.dim));
        w.put(P + "feed_forward_length", GgufValue.u32(arch.ffn));
        w.put(P + "attention.head_count", GgufValue.u32(arch.heads));
        w.put(P + "attention.head_count_kv", GgufValue.u32(1));
        if (arch.qLoraRank > 0) {
            w.put(P + "attention.q_lora_rank", GgufValue.u32(arch.qLoraRank));
        }
        w.put(P + "attention.kv_lora_rank", GgufValue.u32(SyntheticArchitecture.KV_LORA_RANK));
        w.put(P + "attention.key_length", GgufValue.u32(SyntheticArchitecture.KV_LORA_RANK + SyntheticArchitecture.QK_ROPE));
        w.put(P + "attention.value_length", GgufValue.u32(SyntheticArchitecture.KV_LORA_RANK));
        w.put(P + "attention.key_length_mla", GgufValue.u32(SyntheticArchitecture.QK_NOPE + SyntheticArchitecture.QK_ROPE));
        w.put(P + "attention.value_length_mla", GgufValue.u32(SyntheticArchitecture.V_HEAD));
        w.put(P + "attention.layer_norm_rms_epsilon", GgufValue.f32(arch.rmsEps));
        w.put(P + "rope.dimension_count", GgufValue.u32(SyntheticArchitecture.QK_ROPE));
        w.put(P + "rope.freq_base", GgufValue.f32(arch.ropeBase));
        if (arch.yarn) {
            w.put(P + "rope.scaling.type", GgufValue.string("yarn"));
            w.put(P + "rope.scaling.factor", GgufValue.f32(arch.yarnFactor));
            w.put(P + "rope.scaling.original_context_length", GgufValue.u32(4096));
            w.put(P + "rope.scaling.yarn_log_multiplier", GgufValue.f32(arch.yarnLogMultiplier));
        }
        w.put(P + "leading_dense_block_count", GgufValue.u32(arch.dense));
        w.put(P + "expert_count", GgufValue.u32(arch.experts));
        w.put(P + "expert_used_count", GgufValue.u32(arch.expertsUsed));
        w.put(P + "expert_shared_count", GgufValue.u32(arch.shared));
        w.put(P + "expert_feed_forward_length", GgufValue.u32(arch.expertFfn));
        w.put(P + "expert_weights_scale", GgufValue.f32(arch.routedScale));
        if (arch.normTopK) {
            w.put(P + "expert_weights_norm", GgufValue.bool(true));
        }
        w.put(P + "expert_gating_func", GgufValue.u32(arch.gatingFunc));
        w.put(P + "expert_group_count", GgufValue.u32(arch.groups));
        w.put(P + "expert_group_used_count", GgufValue.u32(arch.groupsUsed));
        w.put(P + "vocab_size", GgufValue.u32(vocab));
        putVocabulary(w);
    }

    /**
     * A byte-level vocabulary: BOS, EOS, the 256 byte symbols (GPT-2's byte-to-character map), then
     * unused padding up to the real vocabulary size. No merges: text round-trips byte by byte.
     */
    private void putVocabulary(GgufWriter w) {
        String[] tokens = new String[vocab];
        long[] types = new long[vocab];
        tokens[0] = "<｜begin▁of▁sentence｜>";
        tokens[1] = "<｜end▁of▁sentence｜>";
        types[0] = 3;
        types[1] = 3;
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
            int cp = printable ? b : next++;
            tokens[2 + b] = new String(Character.toChars(cp));
            types[2 + b] = 1;
        }
        for (int i = 258; i < vocab; i++) {
            tokens[i] = "[PAD" + i + "]";
            types[i] = 5;
        }
        w.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        w.put("tokenizer.ggml.pre", GgufValue.string("deepseek-v3"));
        w.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(tokens)));
        w.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInts(GgufValueType.INT32, types)));
        w.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings()));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.u32(0));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.u32(1));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
    }

    private void norm(GgufWriter w, TensorSpec t) {
        long n = t.rowLength();
        w.addTensor(t.name(), GgmlType.F32, t.dims(), dst -> {
            for (int i = 0; i < n; i++) {
                dst.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, 1f);
            }
        });
    }

    /**
     * A random tensor {@code t} whose values have variance 1/{@code fanIn} (or are uniform in ±1 when
     * fanIn is 1).
     */
    private void tensor(GgufWriter w, TensorSpec t, float fanIn) {
        String name = t.name();
        long rowLength = t.rowLength();
        long rows = t.rows();
        GgmlType type = recipe.typeFor(t, layers);
        long rowBytes = type.bytesFor(rowLength);
        long tensorSeed = seed ^ name.hashCode() * 0x9E3779B97F4A7C15L;
        float amplitude = (float) Math.sqrt(3.0 / fanIn);
        long finalRows = rows;
        w.addTensor(name, type, t.dims(), dst -> {
            List<MemorySegment> pool = randomRows(type, (int) rowLength, (int) Math.min(POOL_ROWS, finalRows), amplitude, tensorSeed);
            for (long r = 0; r < finalRows; r++) {
                int pick = (int) Math.floorMod(r * 0x5DEECE66DL + (r >>> 7) + tensorSeed, pool.size());
                dst.asSlice(r * rowBytes, rowBytes).copyFrom(pool.get(pick));
            }
        });
    }

    private static List<MemorySegment> randomRows(GgmlType type, int n, int count, float amplitude, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        if (GridRows.handles(type)) {
            List<MemorySegment> rows = new ArrayList<>(count);
            for (int r = 0; r < count; r++) {
                rows.add(GridRows.random(type, n, amplitude, rnd));
            }
            return rows;
        }
        Quantizer q = Quantizer.of(type);
        float[] values = new float[n];
        List<MemorySegment> rows = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            for (int i = 0; i < n; i++) {
                values[i] = (float) ((rnd.nextDouble() * 2 - 1) * amplitude);
            }
            MemorySegment row = Arena.ofAuto().allocate(type.bytesFor(n));
            q.quantize(values, 0, n, row, 0);
            rows.add(row);
        }
        return rows;
    }
}
