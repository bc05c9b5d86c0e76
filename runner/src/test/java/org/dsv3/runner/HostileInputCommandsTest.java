package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dsv3.model.gguf.GgufArray;
import org.dsv3.model.gguf.GgufValue;
import org.dsv3.model.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CLI, through its entry point, on hostile and careless input: template-looking prompts, absurd
 * options, crafted model files, paths that are not files. Each ends in output or one clear error line.
 */
class HostileInputCommandsTest {
    static final String BOS = "<｜begin▁of▁sentence｜>";

    @TempDir
    Path tmp;

    static RunCommandTest.Result run(String... args) {
        return RunCommandTest.run(args);
    }

    static RunCommandTest.Result generate(String... extra) {
        return RunCommandTest.generate(extra);
    }

    @ParameterizedTest
    @ValueSource(strings = {"A{{ 6*7 }}B", "In Django write {% if user %}", "{{ name }}", "{{ bos_token.toUpperCase() }}",
            "{% include 'META-INF/MANIFEST.MF' %}", "{{ raise_exception('x') }}"})
    void runFeedsTemplateLookingPromptsVerbatim(String text) {
        RunCommandTest.Result chat = generate("--prompt", text, "-n", "4", "--temperature", "0");
        assertEquals(0, chat.code(), chat.err());
        RunCommandTest.Result raw = generate("--raw", "--prompt", BOS + "<｜User｜>" + text + "<｜Assistant｜>", "-n", "4",
                "--temperature", "0");
        assertEquals(0, raw.code(), raw.err());
        assertEquals(raw.out(), chat.out(), "the chat prompt is the V3 format with the text written in as it is");
    }

    @Test
    void runWithASystemPromptCannotLeakIt() {
        RunCommandTest.Result r = generate("--system", "SECRET-91", "--prompt", "{{ raise_exception(messages[0].content) }}",
                "-n", "2", "--temperature", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("SECRET-91"), r.err());
    }

    @Test
    void absurdThreadCountsAreRefused() {
        RunCommandTest.Result r = generate("--prompt", "Hi", "--threads", "100000");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--threads") && r.err().contains("cores"), r.err());
    }

    @Test
    void absurdServeOptionsAreRefused() throws IOException {
        String model = TestModels.tiny().toString();
        RunCommandTest.Result r = run("serve", "--model", model, "--parallel", "100000");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--parallel"), r.err());
        // 256 full caches of the tiny model's own 163,840-token context in F32: 3 x 160 x 163840 x 4 B = 315 MB each
        r = run("serve", "--model", model, "--parallel", "256", "--ctx", "0", "--kv-type", "f32", "--threads", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--parallel 256") && r.err().contains("KV cache"), r.err());
        r = run("serve", "--model", model, "--idle-timeout", "0");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--idle-timeout"), r.err());
        r = run("serve", "--model", model, "--api-key", "a", "--api-key-file", "b");
        assertEquals(1, r.code(), r.err());
        Path empty = Files.writeString(tmp.resolve("key.txt"), "\n");
        r = run("serve", "--model", model, "--api-key-file", empty.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(empty.toString()) && r.err().contains("empty"), r.err());
        r = run("serve", "--model", model, "--api-key-file", tmp.resolve("nope.txt").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("nope.txt") && r.err().contains("no such file"), r.err());
    }

    @Test
    void pathsThatAreNotFilesAreNamedForWhatTheyAre() throws IOException {
        RunCommandTest.Result dir = run("info", "--model", tmp.toString());
        assertEquals(1, dir.code(), dir.err());
        assertTrue(dir.err().contains(tmp.toString()) && dir.err().contains("is a directory"), dir.err());
        if (Files.exists(Path.of("/dev/null"))) {
            RunCommandTest.Result dev = run("info", "--model", "/dev/null");
            assertEquals(1, dev.code(), dev.err());
            assertTrue(dev.err().contains("/dev/null") && dev.err().contains("not a regular file"), dev.err());
        }
        RunCommandTest.Result logits = run("logits", "--model", TestModels.tiny().toString(), "--tokens", "1,2",
                "--out", "/nonexistent/dir/x.f32", "--threads", "2");
        assertEquals(1, logits.code(), logits.err());
        assertTrue(logits.err().contains("/nonexistent/dir/x.f32") && logits.err().contains("no such file"), logits.err());
    }

    /** The tiny model with one metadata value overwritten in place (a 4-byte change for a u32 key). */
    Path patched(String key, long value) throws IOException {
        byte[] b = Files.readAllBytes(TestModels.tiny());
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 8; i + 8 + name.length + 8 < b.length; i++) {
            if (buf.getLong(i) == name.length && new String(b, i + 8, name.length, StandardCharsets.UTF_8).equals(key)) {
                int type = buf.getInt(i + 8 + name.length);
                assertEquals(4, type, key + " is a u32 in this file");
                buf.putInt(i + 12 + name.length, (int) value);
                Path out = tmp.resolve("patched.gguf");
                Files.write(out, b);
                return out;
            }
        }
        throw new AssertionError(key + " not in the file");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x7fffffffL, 1000})
    void anAbsurdBlockCountIsOneShortErrorForInfoLogitsAndRun(long blocks) throws IOException {
        Path f = patched("deepseek2.block_count", blocks);
        for (String[] cmd : List.of(new String[] {"info", "--model", f.toString()},
                new String[] {"logits", "--model", f.toString(), "--tokens", "1", "--out", tmp.resolve("l.f32").toString()},
                new String[] {"run", "--model", f.toString(), "--prompt", "Hi", "-n", "1"})) {
            RunCommandTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(cmd));
            assertEquals(1, r.code(), cmd[0] + ": " + r.err());
            assertTrue(r.err().contains("block_count") && r.err().contains(f.toString()), r.err());
            assertTrue(r.err().lines().count() <= 3, cmd[0] + ": " + r.err().lines().count() + " lines");
        }
    }

    /** A vocabulary-only GGUF whose own chat template is {@code template}. */
    Path withTemplate(String template) throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("deepseek2"));
        w.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        w.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings("<s>", "</s>", "a")));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.u32(0));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.u32(1));
        w.put("tokenizer.chat_template", GgufValue.string(template));
        Path f = tmp.resolve("hostile-template.gguf");
        w.write(f);
        return f;
    }

    @Test
    void aFilesOwnTemplateGetsTheSameLimits() throws IOException {
        Path messages = Files.writeString(tmp.resolve("m.json"), "[{\"role\": \"user\", \"content\": \"hi\"}]");
        for (String t : List.of(
                "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}",
                "{% include 'META-INF/MANIFEST.MF' %}",
                "{{ bos_token.getClass() }}",
                "{% set s = namespace(v='x') %}{% for i in range(100) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v }}")) {
            Path f = withTemplate(t);
            RunCommandTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> run("template", "--model", f.toString(), "--messages", messages.toString()));
            assertEquals(1, r.code(), t + ": " + r.err());
            assertTrue(r.err().contains("hostile-template.gguf tokenizer.chat_template"), r.err());
            assertTrue(!r.out().contains("Manifest-Version") && r.out().length() < 1000, r.out());
        }
        Path ok = withTemplate("{% for m in messages %}[{{ m['content'] }}]{% endfor %}");
        Files.writeString(messages, "[{\"role\": \"user\", \"content\": \"{{ 6*7 }} {% if x %}\"}]");
        RunCommandTest.Result r = run("template", "--model", ok.toString(), "--messages", messages.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("[{{ 6*7 }} {% if x %}]", r.out());
    }
}
