package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
    static Path data() {
        String p = System.getProperty("dsv3.testdata", "");
        Path root = p.isBlank() ? Path.of("..", "testdata") : Path.of(p);
        assumeTrue(Files.isDirectory(root.resolve("models")), "skipped: no test models in " + root);
        return root;
    }

    static String run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertEquals(0, code, () -> String.join(" ", args) + " failed: " + err);
        return out.toString();
    }

    @Test
    void everyModelAndVocabularyFileIsDescribed() throws IOException {
        Path root = data();
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(root.resolve("models")), Files.walk(root.resolve("tokenizer")))) {
            files = s.filter(f -> f.toString().endsWith(".gguf")).sorted().toList();
        }
        assertTrue(files.size() >= 3);
        ObjectMapper json = new ObjectMapper();
        for (Path f : files) {
            String text = run("info", "--model", f.toString());
            assertTrue(text.contains("architecture"), text);
            JsonNode j = json.readTree(run("info", "--model", f.toString(), "--json"));
            if (j.get("vocab_only").asBoolean()) {
                assertTrue(text.contains("vocabulary only"), text);
                continue;
            }
            assertTrue(j.get("problems").isEmpty(), f + ": " + j.get("problems"));
            String ref = f.getFileName().toString().startsWith("tiny-v2") ? "tiny-v2" : "tiny-v3";
            Path hfConfig = root.resolve("reference/" + ref + ".hf-config.json");
            if (!Files.exists(hfConfig) && System.getProperty("dsv3.testdata", "").isBlank()) {
                continue; // the in-repo subset has models but not the Hugging Face configs
            }
            JsonNode hf = json.readTree(hfConfig.toFile());
            assertEquals(hf.get("num_hidden_layers").asInt(), j.get("block_count").asInt(), f.toString());
            assertEquals(hf.get("num_attention_heads").asInt(), j.get("head_count").asInt());
            assertEquals(hf.get("q_lora_rank").isNull() ? 0 : hf.get("q_lora_rank").asInt(), j.get("q_lora_rank").asInt());
            assertEquals(hf.get("kv_lora_rank").asInt(), j.get("kv_lora_rank").asInt());
            assertEquals(hf.get("n_routed_experts").asInt(), j.get("expert_count").asInt());
            assertEquals(hf.get("num_experts_per_tok").asInt(), j.get("expert_used_count").asInt());
            assertEquals(hf.get("n_shared_experts").asInt(), j.get("expert_shared_count").asInt());
            assertEquals(hf.get("n_group").asInt(), j.get("expert_group_count").asInt());
            assertEquals(hf.get("scoring_func").asText(), j.get("expert_gating_func").asText());
            // per token and layer the latent cache holds kv_lora_rank + rope dims values (§3.5)
            int width = hf.get("kv_lora_rank").asInt() + hf.get("qk_rope_head_dim").asInt();
            assertEquals((long) hf.get("num_hidden_layers").asInt() * width * 2, j.get("kv_cache_bytes_per_token_f16").asLong());
            assertTrue(j.get("parameters").asLong() > j.get("parameters_active_per_token").asLong());
        }
    }

    @Test
    void aCorruptFileIsOneClearLine() throws IOException {
        Path f = Files.createTempFile("bad", ".gguf");
        Files.write(f, "GGUF\u0003\u0000\u0000\u0000garbage".getBytes());
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("info", "--model", f.toString());
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("dsv3 info: " + f), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        Files.delete(f);
    }
}
