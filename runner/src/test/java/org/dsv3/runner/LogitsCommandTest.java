package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LogitsCommandTest {
    private static final String MODEL = "models/quant/tiny-v3.q4_k_m.gguf";

    @TempDir
    Path tmp;

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out));
        try {
            int exit = cl.execute(args);
            return new Result(exit, out.toString(), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    private static float[] floats(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    @Test
    void writesEveryPositionsLogitsAndNothingOnStdout() throws Exception {
        Path model = TestData.require(MODEL);
        JsonNode c = new ObjectMapper().readTree(TestData.require("reference/tiny-v3.cases.json").toFile()).get("cases").get(0);
        List<String> ids = new ArrayList<>();
        c.get("tokens").forEach(t -> ids.add(t.asText()));
        float[] expected = floats(TestData.require("reference/quant/tiny-v3.q4_k_m.case0.dequant-ref.f32"));
        for (String batch : new String[] {"1", "4", "512"}) {
            Path out = tmp.resolve("logits-" + batch + ".f32");
            Result r = run("logits", "--model", model.toString(), "--tokens", String.join(",", ids), "--out", out.toString(),
                    "--batch", batch, "--threads", "2", "--kv-type", "f32", "--device", "cpu:exact");
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.out(), "stdout must stay empty");
            float[] actual = floats(out);
            assertEquals(expected.length, actual.length, "[T, vocab] floats");
            float max = 0f;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
            }
            assertTrue(max < 1e-4f, "batch " + batch + ": max |diff| " + max);
        }
    }

    @Test
    void otherDevicesAreAClearError() {
        Path model = TestData.require(MODEL);
        Result r = run("logits", "--model", model.toString(), "--tokens", "0,1", "--out", tmp.resolve("x").toString(),
                "--device", "cuda");
        assertEquals(1, r.exit());
        // the runner's tests also have a scripted test device on the class path
        assertTrue(r.err().matches("(?s).*no backend for device 'cuda' \\(available: [a-z, ]*\\bcpu\\b.*"), r.err());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        Path model = TestData.require(MODEL);
        Result kv = run("logits", "--model", model.toString(), "--tokens", "0", "--out", tmp.resolve("x").toString(),
                "--kv-type", "q8");
        assertEquals(1, kv.exit());
        assertTrue(kv.err().contains("unknown KV cache type 'q8'"), kv.err());
        Result tok = run("logits", "--model", model.toString(), "--tokens", "0,4096", "--out", tmp.resolve("y").toString());
        assertEquals(1, tok.exit());
        assertTrue(tok.err().contains("token id 4096 is outside the vocabulary"), tok.err());
        Result batch = run("logits", "--model", model.toString(), "--tokens", "0", "--out", tmp.resolve("z").toString(),
                "--batch", "0");
        assertEquals(1, batch.exit());
    }
}
