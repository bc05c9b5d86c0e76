package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplate;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code dsv3 run} on the tiny model, in process. */
class RunCommandTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result generate(String... extra) {
        return run(withDefaults(List.of("run", "--model", TestModels.tiny().toString(), "--threads", "2", "--ctx", "256"),
                extra));
    }

    /** {@code base} then {@code extra}; an option of {@code base} that {@code extra} gives again is dropped from base. */
    static String[] withDefaults(List<String> base, String... extra) {
        List<String> given = List.of(extra);
        List<String> args = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            String a = base.get(i);
            if (a.startsWith("--") && !a.equals("--model") && given.contains(a) && i + 1 < base.size()) {
                i++;
                continue;
            }
            args.add(a);
        }
        args.addAll(given);
        return args.toArray(String[]::new);
    }

    @Test
    void theSameSeedGivesTheSameOutput() {
        Result a = generate("--prompt", "Tell me a story.", "--seed", "7", "-n", "16", "--temperature", "1.0");
        Result b = generate("--prompt", "Tell me a story.", "--seed", "7", "-n", "16", "--temperature", "1.0");
        assertEquals(0, a.code(), a.err());
        assertFalse(a.out().isBlank());
        assertEquals(a.out(), b.out());
        Result c = generate("--prompt", "Tell me a story.", "--seed", "8", "-n", "16", "--temperature", "1.0");
        assertNotEquals(a.out(), c.out(), "another seed, another story (16 sampled tokens from 2048)");
    }

    @Test
    void stopsAtMaxTokensAndReportsStatsOnStderr() {
        Result r = generate("--prompt", "Hi", "--seed", "1", "-n", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("generated 5 tokens"), r.err());
        assertTrue(r.err().contains("stopped by token limit"), r.err());
        assertTrue(r.err().contains("first token"), r.err());
        assertTrue(r.err().contains("dsv3: mapped "), "loading one-liners in a pipe: " + r.err());
        assertTrue(r.out().endsWith("\n"));
    }

    @Test
    void rawSkipsTheChatTemplate() {
        Result chat = generate("--prompt", "Hello", "--seed", "3", "-n", "4", "--temperature", "0");
        Result raw = generate("--prompt", "Hello", "--seed", "3", "-n", "4", "--temperature", "0", "--raw");
        assertEquals(0, raw.code(), raw.err());
        int chatTokens = ChatTemplate.encode(TestModels.tokenizer(), TestModels.template(),
                List.of(ChatMessage.user("Hello")), true).length;
        int rawTokens = TestModels.tokenizer().encode("Hello", true, true).length;
        assertTrue(rawTokens < chatTokens);
        assertTrue(chat.err().contains("prompt " + chatTokens + " tokens"), chat.err());
        assertTrue(raw.err().contains("prompt " + rawTokens + " tokens"), raw.err());
    }

    @Test
    void theContextLimitStopsCleanly() {
        Result r = generate("--prompt", "Hi", "--temperature", "0", "--ctx", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("the context is full (8 tokens)"), r.err());
    }

    @Test
    void userErrorsAreOneLine() {
        Result r = generate("--prompt", "Hi", "--top-p", "1.5");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("top-p must be in (0, 1]"), r.err());
        Result raw = generate("--prompt", "Hi", "--raw", "--system", "x");
        assertEquals(1, raw.code());
        Result missing = run("run", "--model", "/nonexistent.gguf", "--prompt", "x");
        assertEquals(1, missing.code(), missing.err());
    }
}
