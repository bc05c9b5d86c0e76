package org.dsv3.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dsv3.model.TestData;
import org.dsv3.model.gguf.GgufException;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.gguf.GgufValue;
import org.dsv3.model.gguf.GgufWriter;
import org.dsv3.model.quant.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeepSeekConfigTest {
    @TempDir
    Path tmp;

    private static DeepSeekConfig load(Path p) {
        try (GgufModel m = GgufModel.open(p)) {
            return DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
        }
    }

    /** The GGUF-derived configuration agrees with the Hugging Face config the checkpoint was made from. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-v3.bf16.gguf:tiny-v3", "tiny-v2.bf16.gguf:tiny-v2", "tiny-v3.legacy-kv_b.bf16.gguf:tiny-v3",
            "quant/tiny-v3.q4_k_m.gguf:tiny-v3", "split/tiny-v3.q8_0-00002-of-00004.gguf:tiny-v3"})
    void matchesTheHuggingFaceConfig(String spec) throws IOException {
        String[] s = spec.split(":");
        DeepSeekConfig c = load(TestData.require("models/" + s[0]));
        JsonNode hf = new ObjectMapper().readTree(TestData.require("reference/" + s[1] + ".hf-config.json").toFile());
        assertEquals(hf.get("num_hidden_layers").asInt(), c.mainBlockCount());
        assertEquals(hf.get("hidden_size").asInt(), c.dim());
        assertEquals(hf.get("intermediate_size").asInt(), c.ffnDim());
        assertEquals(hf.get("moe_intermediate_size").asInt(), c.expertFfnDim());
        assertEquals(hf.get("num_attention_heads").asInt(), c.headCount());
        assertEquals(hf.get("q_lora_rank").isNull() ? 0 : hf.get("q_lora_rank").asInt(), c.qLoraRank());
        assertEquals(hf.get("kv_lora_rank").asInt(), c.kvLoraRank());
        assertEquals(hf.get("qk_nope_head_dim").asInt(), c.qkNopeDim());
        assertEquals(hf.get("qk_rope_head_dim").asInt(), c.qkRopeDim());
        assertEquals(hf.get("v_head_dim").asInt(), c.vHeadDim());
        assertEquals(hf.get("n_routed_experts").asInt(), c.expertCount());
        assertEquals(hf.get("num_experts_per_tok").asInt(), c.expertUsedCount());
        assertEquals(hf.get("n_shared_experts").asInt(), c.sharedExpertCount());
        assertEquals(hf.get("n_group").asInt(), c.groupCount());
        assertEquals(hf.get("topk_group").asInt(), c.groupUsedCount());
        assertEquals(hf.get("first_k_dense_replace").asInt(), c.denseBlockCount());
        assertEquals(hf.get("norm_topk_prob").asBoolean(), c.normalizeTopK());
        assertEquals((float) hf.get("routed_scaling_factor").asDouble(), c.routedScale());
        assertEquals(hf.get("scoring_func").asText(), c.gating().name().toLowerCase());
        assertEquals(hf.get("vocab_size").asInt(), c.vocabSize());
        assertEquals((float) hf.get("rms_norm_eps").asDouble(), c.rmsEps());
        assertEquals((float) hf.get("rope_theta").asDouble(), c.ropeBase());
        JsonNode rs = hf.get("rope_scaling");
        assertTrue(c.yarn());
        assertEquals((float) rs.get("factor").asDouble(), c.yarnFactor());
        assertEquals(rs.get("original_max_position_embeddings").asInt(), c.yarnOriginalContext());
        assertEquals(rs.get("mscale_all_dim").asDouble(), c.mscaleAllDim(), 1e-6);
        assertEquals((float) rs.get("beta_fast").asDouble(), c.yarnBetaFast());
        assertEquals((float) rs.get("beta_slow").asDouble(), c.yarnBetaSlow());
        assertEquals(s[0].contains("legacy") ? AttentionLayout.LEGACY_KV_B : AttentionLayout.MLA, c.attentionLayout());
        try (GgufModel m = GgufModel.open(TestData.root().resolve("models/" + s[0]))) {
            assertEquals(List.of(), ModelValidator.problems(m, c));
        }
    }

    @Test
    void realDeepSeekV3HyperparametersGiveTheDocumentedSoftmaxScale() {
        DeepSeekConfig c = load(TestData.require("tokenizer/deepseek-v3-vocab.gguf"));
        assertEquals(61, c.blockCount());
        assertEquals(1536, c.qLoraRank());
        assertEquals(128, c.qkNopeDim());
        assertEquals(64, c.qkRopeDim());
        assertEquals(1.0, c.mscaleAllDim(), 1e-6);
        assertEquals(1.3688879, c.mscale(), 1e-6);
        assertEquals(0.1352338f, c.kqScale(), 1e-7);
        assertEquals(576, c.kvCacheWidth());
        assertEquals(70_272, ModelStatistics.kvCacheBytesPerToken(c, 2));
        assertEquals(8, c.groupCount());
        assertEquals(4, c.groupUsedCount());
    }

    /** V2-Lite keys as llama.cpp's converter writes them (docs/architecture.md §1.2). */
    private GgufWriter v2LiteKeys() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("deepseek2"));
        String p = "deepseek2.";
        w.put(p + "block_count", GgufValue.u32(27));
        w.put(p + "context_length", GgufValue.u32(163840));
        w.put(p + "embedding_length", GgufValue.u32(2048));
        w.put(p + "feed_forward_length", GgufValue.u32(10944));
        w.put(p + "attention.head_count", GgufValue.u32(16));
        w.put(p + "attention.head_count_kv", GgufValue.u32(1));
        w.put(p + "attention.kv_lora_rank", GgufValue.u32(512));
        w.put(p + "attention.key_length", GgufValue.u32(576));
        w.put(p + "attention.value_length", GgufValue.u32(512));
        w.put(p + "attention.key_length_mla", GgufValue.u32(192));
        w.put(p + "attention.value_length_mla", GgufValue.u32(128));
        w.put(p + "attention.layer_norm_rms_epsilon", GgufValue.f32(1e-6f));
        w.put(p + "rope.dimension_count", GgufValue.u32(64));
        w.put(p + "rope.freq_base", GgufValue.f32(10000f));
        w.put(p + "rope.scaling.type", GgufValue.string("yarn"));
        w.put(p + "rope.scaling.factor", GgufValue.f32(40f));
        w.put(p + "rope.scaling.original_context_length", GgufValue.u32(4096));
        w.put(p + "rope.scaling.yarn_log_multiplier", GgufValue.f32(0.0707f));
        w.put(p + "leading_dense_block_count", GgufValue.u32(1));
        w.put(p + "expert_count", GgufValue.u32(64));
        w.put(p + "expert_used_count", GgufValue.u32(6));
        w.put(p + "expert_shared_count", GgufValue.u32(2));
        w.put(p + "expert_feed_forward_length", GgufValue.u32(1408));
        w.put(p + "expert_weights_scale", GgufValue.f32(1f));
        w.put(p + "vocab_size", GgufValue.u32(102400));
        return w;
    }

    @Test
    void v2LiteHasNoQLoraSoftmaxGatingAndItsOwnScale() throws IOException {
        Path f = tmp.resolve("v2lite.gguf");
        v2LiteKeys().write(f);
        DeepSeekConfig c = load(f);
        assertEquals(0, c.qLoraRank());
        assertEquals(Gating.SOFTMAX, c.gating(), "an absent expert_gating_func means softmax");
        assertFalse(c.normalizeTopK());
        assertEquals(0.707, c.mscaleAllDim(), 1e-6);
        assertEquals(0.1147214f, c.kqScale(), 1e-7);
        assertEquals(1, c.groupCount());
        assertEquals(31_104, ModelStatistics.kvCacheBytesPerToken(c, 2));
    }

    @Test
    void withoutYarnTheScaleIsPlain() throws IOException {
        Path f = tmp.resolve("moonlight.gguf");
        GgufWriter w = v2LiteKeys();
        w.put("deepseek2.rope.scaling.type", GgufValue.string("none"));
        w.put("deepseek2.rope.scaling.factor", GgufValue.f32(0f));
        w.put("deepseek2.expert_gating_func", GgufValue.u32(2));
        w.write(f);
        DeepSeekConfig c = load(f);
        assertFalse(c.yarn());
        assertEquals(Gating.SIGMOID, c.gating());
        assertEquals(0.0721688f, c.kqScale(), 1e-7);
    }

    @Test
    void v3FileWithoutGroupKeysGetsTheReferenceGroupsUnlessTurnedOff() throws IOException {
        Path f = tmp.resolve("v3-old.gguf");
        GgufWriter w = v2LiteKeys();
        w.put("deepseek2.expert_count", GgufValue.u32(256));
        w.put("deepseek2.expert_gating_func", GgufValue.u32(2));
        w.put("deepseek2.attention.q_lora_rank", GgufValue.u32(1536));
        w.write(f);
        try (GgufModel m = GgufModel.open(f)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
            assertEquals(8, c.groupCount());
            assertEquals(4, c.groupUsedCount());
            DeepSeekConfig off = DeepSeekConfig.fromGguf(m, GroupRouting.OFF);
            assertEquals(1, off.groupCount());
        }
    }

    @Test
    void anotherArchitectureIsRefusedListingWhatIsSupported() {
        Path f = TestData.require("tokenizer/ggml-vocab-deepseek-llm.gguf");
        try (GgufModel m = GgufModel.open(f)) {
            GgufException e = assertThrows(GgufException.class, () -> DeepSeekConfig.fromGguf(m, GroupRouting.AUTO));
            assertTrue(e.getMessage().contains("'llama' is not supported"), e.getMessage());
            assertTrue(e.getMessage().contains("Kimi-K2") && e.getMessage().contains("V2-Lite"), e.getMessage());
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Test
    void everyShapeMismatchAndUnsupportedTypeIsReportedAtOnce() throws IOException {
        Path src = TestData.require("models/quant/tiny-v3.q8_0.gguf");
        Path bad = tmp.resolve("bad.gguf");
        try (GgufModel m = GgufModel.open(src)) {
            GgufWriter w = new GgufWriter().putAll(m.metadata().asMap());
            for (Map.Entry<String, GgufTensor> e : m.tensors().entrySet()) {
                GgufTensor t = e.getValue();
                switch (t.name()) {
                    case "blk.1.ffn_up_exps.weight" -> { } // dropped
                    case "blk.0.attn_output.weight" -> w.addTensor(t.name(), t.type(), new long[] {t.dims()[0], t.dims()[1] / 2},
                            t.data().asSlice(0, t.byteSize() / 2));
                    case "blk.2.ffn_gate_exps.weight" -> w.addTensor(t.name(), GgmlType.TQ1_0, t.dims(),
                            (MemorySegment dst) -> dst.fill((byte) 0));
                    default -> w.addTensor(t.name(), t.type(), t.dims(), t.data());
                }
            }
            w.write(bad);
        }
        try (GgufModel m = GgufModel.open(bad)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
            GgufException e = assertThrows(GgufException.class, () -> ModelValidator.check(m, c));
            String msg = e.getMessage();
            assertTrue(msg.contains("3 tensor problem(s)"), msg);
            assertTrue(msg.contains("blk.1.ffn_up_exps.weight: missing"), msg);
            assertTrue(msg.contains("blk.0.attn_output.weight: shape [256, 128], expected [256, 256]"), msg);
            assertTrue(msg.contains("blk.2.ffn_gate_exps.weight: tensor type TQ1_0 is not supported"), msg);
        }
    }
}
