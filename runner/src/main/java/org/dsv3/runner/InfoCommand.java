package org.dsv3.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.config.ModelStatistics;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.quant.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dsv3 info}: what a GGUF file holds, as text or JSON, without running it. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the architecture, hyperparameters, sizes and tensor types of a GGUF file.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file (any shard of a split model)")
    Path model;

    @Option(names = "--json", description = "print JSON with the GGUF names of the hyperparameters")
    boolean json;

    @Option(names = "--no-group-routing", description = "report routing as llama.cpp runs V3 files without group keys (no groups)")
    boolean noGroups;

    @Option(names = "--context", defaultValue = "8192",
            description = "tokens of KV cache in the device-memory projection (default: ${DEFAULT-VALUE})")
    long context;

    @Option(names = "--device-memory", defaultValue = "143771MiB",
            description = "memory of the device to project for, e.g. 80GB, 24GiB (default: ${DEFAULT-VALUE}, one H200)")
    String deviceMemory;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (GgufModel m = GgufModel.open(model)) {
            if (context < 1) {
                throw new UserError("--context must be at least 1, got " + context);
            }
            Map<String, Object> info = describe(m, noGroups ? GroupRouting.OFF : GroupRouting.AUTO);
            if (info.containsKey("tensor_types")) {
                info.put("device_memory", WeightBudget.deviceMemory(m, DeepSeekConfig.fromGguf(m,
                        noGroups ? GroupRouting.OFF : GroupRouting.AUTO), context, deviceBytes(deviceMemory)));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(info));
            } else {
                printText(out, info);
            }
            out.flush();
        }
        return 0;
    }

    /** Everything {@code info} reports, keyed by the GGUF names where a GGUF key exists. */
    static Map<String, Object> describe(GgufModel m, GroupRouting routing) {
        GgufMetadata md = m.metadata();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("file", m.path().toString());
        info.put("file_size", m.fileSize());
        info.put("shards", m.shards().size());
        info.put("gguf_version", m.shards().getFirst().version());
        String arch = md.optString("general.architecture").orElse("(none)");
        info.put("architecture", arch);
        info.put("name", md.optString("general.name").orElse(""));
        boolean vocabOnly = m.tensors().isEmpty();
        info.put("vocab_only", vocabOnly);
        putTokenizer(info, md);
        if (!arch.equals(DeepSeekConfig.ARCH)) {
            if (!vocabOnly) {
                // Not ours to run: say so plainly, listing what is supported.
                DeepSeekConfig.fromGguf(m, routing);
            }
            return info;
        }
        DeepSeekConfig c = DeepSeekConfig.fromGguf(m, routing);
        info.put("family", c.family());
        info.put("block_count", c.blockCount());
        info.put("main_block_count", c.mainBlockCount());
        info.put("leading_dense_block_count", c.denseBlockCount());
        info.put("context_length", c.contextLength());
        info.put("embedding_length", c.dim());
        info.put("feed_forward_length", c.ffnDim());
        info.put("head_count", c.headCount());
        info.put("q_lora_rank", c.qLoraRank());
        info.put("kv_lora_rank", c.kvLoraRank());
        info.put("key_length_mla", c.qkHeadDim());
        info.put("value_length_mla", c.vHeadDim());
        info.put("qk_nope_head_dim", c.qkNopeDim());
        info.put("qk_rope_head_dim", c.qkRopeDim());
        info.put("attention_layout", c.attentionLayout().name());
        info.put("layer_norm_rms_epsilon", c.rmsEps());
        info.put("rope_freq_base", c.ropeBase());
        info.put("rope_scaling_type", c.yarn() ? "yarn" : "none");
        info.put("rope_scaling_factor", c.yarnFactor());
        info.put("rope_scaling_original_context_length", c.yarnOriginalContext());
        info.put("mscale_all_dim", c.mscaleAllDim());
        info.put("yarn_beta_fast", c.yarnBetaFast());
        info.put("yarn_beta_slow", c.yarnBetaSlow());
        info.put("kq_scale", c.kqScale());
        info.put("expert_count", c.expertCount());
        info.put("expert_used_count", c.expertUsedCount());
        info.put("expert_shared_count", c.sharedExpertCount());
        info.put("expert_feed_forward_length", c.expertFfnDim());
        info.put("expert_group_count", c.groupCount());
        info.put("expert_group_used_count", c.groupUsedCount());
        info.put("expert_gating_func", c.gating().name().toLowerCase());
        info.put("expert_weights_norm", c.normalizeTopK());
        info.put("expert_weights_scale", c.routedScale());
        info.put("expert_selection_bias", c.hasSelectionBias());
        info.put("vocab_size", c.vocabSize());
        info.put("kv_cache_bytes_per_token_f16", ModelStatistics.kvCacheBytesPerToken(c, 2));
        info.put("kv_cache_bytes_per_token_f32", ModelStatistics.kvCacheBytesPerToken(c, 4));
        if (!vocabOnly) {
            ModelStatistics s = ModelStatistics.of(m, c);
            info.put("parameters", s.totalParameters());
            info.put("parameters_active_per_token", s.activeParameters());
            info.put("weight_bytes_per_token", s.activeWeightBytes());
            Map<String, Object> types = new LinkedHashMap<>();
            for (Map.Entry<GgmlType, Long> e : s.bytesPerType().entrySet()) {
                types.put(e.getKey().name(), Map.of("tensors", s.tensorsPerType().get(e.getKey()), "bytes", e.getValue()));
            }
            info.put("tensor_types", types);
            info.put("bits_per_weight", WeightBudget.bitsPerWeight(m));
            List<String> problems = ModelValidator.problems(m, c);
            info.put("problem_count", problems.size());
            info.put("problems", ModelValidator.firstOf(problems, ModelValidator.LISTED));
        }
        return info;
    }

    /** "141GB", "141G", "24GiB", "80e9" or plain bytes; decimal units for GB/G, binary for GiB. */
    static long deviceBytes(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long mul = 1;
        String[][] units = {{"TIB", "1099511627776"}, {"GIB", "1073741824"}, {"MIB", "1048576"}, {"TB", "1000000000000"},
                {"GB", "1000000000"}, {"MB", "1000000"}, {"T", "1000000000000"}, {"G", "1000000000"}, {"M", "1000000"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0) || v * mul > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) (v * mul);
        } catch (NumberFormatException e) {
            throw new UserError("--device-memory '" + s + "' is not a size such as 141GB, 80G or 24GiB");
        }
    }

    private static void putTokenizer(Map<String, Object> info, GgufMetadata md) {
        info.put("tokenizer_model", md.optString("tokenizer.ggml.model").orElse(""));
        info.put("tokenizer_pre", md.optString("tokenizer.ggml.pre").orElse(""));
        info.put("tokenizer_tokens", md.contains("tokenizer.ggml.tokens") ? md.getArray("tokenizer.ggml.tokens").length() : 0);
        info.put("bos_token_id", md.contains("tokenizer.ggml.bos_token_id") ? md.getLong("tokenizer.ggml.bos_token_id") : null);
        info.put("eos_token_id", md.contains("tokenizer.ggml.eos_token_id") ? md.getLong("tokenizer.ggml.eos_token_id") : null);
        info.put("chat_template", md.contains("tokenizer.chat_template"));
    }

    private static void printText(PrintWriter out, Map<String, Object> i) {
        out.printf("file          %s (%s, %d shard%s, GGUF v%s)%n", i.get("file"), Units.bytes((Long) i.get("file_size")),
                (Integer) i.get("shards"), (Integer) i.get("shards") == 1 ? "" : "s", i.get("gguf_version"));
        out.printf("architecture  %s%s%s%n", i.get("architecture"),
                i.containsKey("family") ? " — " + i.get("family") : "",
                "".equals(i.get("name")) ? "" : " (\"" + i.get("name") + "\")");
        if (Boolean.TRUE.equals(i.get("vocab_only"))) {
            out.println("contents      vocabulary only (no tensors): tokenizer and hyperparameters, nothing to run");
        }
        out.printf("tokenizer     %s, pre-tokenizer %s, %d tokens, BOS %s, EOS %s, chat template %s%n",
                i.get("tokenizer_model"), i.get("tokenizer_pre"), i.get("tokenizer_tokens"), i.get("bos_token_id"),
                i.get("eos_token_id"), Boolean.TRUE.equals(i.get("chat_template")) ? "yes" : "no");
        if (!i.containsKey("family")) {
            return;
        }
        out.printf("layers        %d (%d dense + %d MoE)%s%n", i.get("main_block_count"), i.get("leading_dense_block_count"),
                (Integer) i.get("main_block_count") - (Integer) i.get("leading_dense_block_count"),
                i.get("block_count").equals(i.get("main_block_count")) ? "" : ", " + i.get("block_count") + " in the file (MTP blocks skipped)");
        out.printf("dimensions    embedding %d, dense FFN %d, vocabulary %d, context %d%n", i.get("embedding_length"),
                i.get("feed_forward_length"), i.get("vocab_size"), i.get("context_length"));
        int qLora = (Integer) i.get("q_lora_rank");
        out.printf("attention     MLA, %d heads, q %s, kv_lora_rank %d, qk %d (nope %d + rope %d), v %d, layout %s%n",
                i.get("head_count"), qLora > 0 ? "LoRA rank " + qLora : "direct (attn_q)", i.get("kv_lora_rank"),
                i.get("key_length_mla"), i.get("qk_nope_head_dim"), i.get("qk_rope_head_dim"), i.get("value_length_mla"),
                "MLA".equals(i.get("attention_layout")) ? "attn_k_b/attn_v_b" : "legacy attn_kv_b (split at load)");
        out.printf("rope          base %s, %s, kq_scale %.7f%n", i.get("rope_freq_base"),
                "yarn".equals(i.get("rope_scaling_type"))
                        ? String.format("YaRN factor %s, original context %s, mscale_all_dim %.4f, beta %s/%s", i.get("rope_scaling_factor"),
                        i.get("rope_scaling_original_context_length"), (Float) i.get("mscale_all_dim"), i.get("yarn_beta_fast"), i.get("yarn_beta_slow"))
                        : "no scaling", (Float) i.get("kq_scale"));
        int groups = (Integer) i.get("expert_group_count");
        out.printf("routing       %s, %d of %d experts + %d shared (width %d), %s, %snormalised, scale %s%s%n",
                i.get("expert_gating_func"), i.get("expert_used_count"), i.get("expert_count"), i.get("expert_shared_count"),
                i.get("expert_feed_forward_length"),
                groups > 1 ? "groups " + i.get("expert_group_used_count") + " of " + groups : "no groups",
                Boolean.TRUE.equals(i.get("expert_weights_norm")) ? "" : "not ", i.get("expert_weights_scale"),
                Boolean.TRUE.equals(i.get("expert_selection_bias")) ? ", selection bias" : "");
        out.printf("kv cache      %s per token (F16), %s (F32)%n", Units.bytes((Long) i.get("kv_cache_bytes_per_token_f16")),
                Units.bytes((Long) i.get("kv_cache_bytes_per_token_f32")));
        if (i.containsKey("parameters")) {
            out.printf("parameters    %s total, %s active per token (%s of weights read per token)%n",
                    Units.count((Long) i.get("parameters")), Units.count((Long) i.get("parameters_active_per_token")),
                    Units.bytes((Long) i.get("weight_bytes_per_token")));
            out.print("tensor types ");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> types = (Map<String, Map<String, Object>>) i.get("tensor_types");
            types.forEach((k, v) -> out.printf(" %s ×%s (%s)", k, v.get("tensors"), Units.bytes(((Number) v.get("bytes")).longValue())));
            out.println();
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> bpw = (Map<String, Map<String, Object>>) i.get("bits_per_weight");
            out.println("bits/weight");
            bpw.forEach((k, v) -> out.printf(java.util.Locale.ROOT, "  %-22s %6.3f  %-20s %9s params %11s%n",
                    TensorClass.valueOf(k.toUpperCase(java.util.Locale.ROOT)).label, ((Number) v.get("bits_per_weight")).doubleValue(),
                    v.get("types"), Units.count((Long) v.get("parameters")), Units.bytes((Long) v.get("bytes"))));
            if (i.containsKey("device_memory")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> dm = (Map<String, Object>) i.get("device_memory");
                out.printf("device memory %s weights + %s i-quant grids + %s KV cache (F32, %s tokens) = %s; %s a %s device%n",
                        Units.bytes((Long) dm.get("weights")), Units.bytes((Long) dm.get("grid_tables")),
                        Units.bytes((Long) dm.get("kv_cache_f32")), dm.get("context"), Units.bytes((Long) dm.get("total")),
                        Boolean.TRUE.equals(dm.get("fits")) ? "fits" : "does NOT fit",
                        Units.bytes((Long) dm.get("device")));
            }
            @SuppressWarnings("unchecked")
            List<String> problems = (List<String>) i.get("problems");
            out.println(problems.isEmpty() ? "check         all tensors present with the expected shapes and supported types"
                    : "problems      " + String.join("\n              ",
                            ModelValidator.firstOf(problems, ModelValidator.LISTED)));
        }
    }
}
