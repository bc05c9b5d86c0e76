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

    /** i-quant files: bits per weight per tensor class from the block geometry, and a device-memory projection. */
    @Test
    void iquantFilesReportBitsPerWeightAndDeviceMemory() throws IOException {
        Path root = data();
        Path f = root.resolve("iquant/tiny-v3.iq1_s.gguf");
        assumeTrue(Files.exists(f), "skipped: no i-quant files in " + root);
        JsonNode j = new ObjectMapper().readTree(run("info", "--model", f.toString(), "--json", "--context", "1000",
                "--device-memory", "24GiB"));
        JsonNode bpw = j.get("bits_per_weight");
        int pureIq1 = 0;
        long bytes = 0;
        for (JsonNode c : bpw) {
            bytes += c.get("bytes").asLong();
            if (c.get("types").asText().equals("IQ1_S")) {
                assertEquals(1.5625, c.get("bits_per_weight").asDouble(), 1e-9, c.toString()); // 50 bytes per 256 values
                pureIq1++;
            }
            if (c.get("types").asText().equals("F32")) {
                assertEquals(32.0, c.get("bits_per_weight").asDouble(), 1e-9, c.toString());
            }
        }
        assertTrue(pureIq1 > 0, bpw.toString());
        JsonNode dm = j.get("device_memory");
        assertEquals(bytes, dm.get("weights").asLong());
        assertTrue(dm.get("grid_tables").asLong() >= 16384, dm.toString()); // at least one IQ1 grid
        assertEquals(1000, dm.get("context").asLong());
        assertEquals(24L << 30, dm.get("device").asLong());
        assertTrue(dm.get("fits").asBoolean());
        String text = run("info", "--model", f.toString());
        assertTrue(text.contains("bits/weight") && text.contains("device memory"), text);
    }

    @Test
    void aBadDeviceMemoryIsNamed() {
        Path root = data();
        Path f = root.resolve("models/quant/tiny-v3.q4_k_m.gguf");
        assumeTrue(Files.exists(f));
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertTrue(cl.execute("info", "--model", f.toString(), "--device-memory", "lots") != 0);
        assertTrue(err.toString().contains("--device-memory 'lots'"), err.toString());
    }
}
