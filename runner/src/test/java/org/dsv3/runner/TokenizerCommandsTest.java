package org.dsv3.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code tokenize}, {@code detokenize} and {@code template} on the real DeepSeek-V3 vocabulary. */
class TokenizerCommandsTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The V3 vocabulary: from -Ddsv3.testdata, else the in-repo subset. */
    static Path v3Vocab() {
        String prop = System.getProperty("dsv3.testdata", "");
        Path dir = null;
        if (!prop.isBlank()) {
            dir = Path.of(prop, "tokenizer");
        } else {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("testdata/tokenizer"))) {
                    dir = p.resolve("testdata/tokenizer");
                    break;
                }
            }
        }
        Path f = dir == null ? Path.of("deepseek-v3-vocab.gguf") : dir.resolve("deepseek-v3-vocab.gguf");
        assumeTrue(Files.isRegularFile(f), "skipped: no deepseek-v3-vocab.gguf (in-repo testdata/tokenizer or -Ddsv3.testdata)");
        return f;
    }

    @Test
    void tokenizePrintsAJsonArray() {
        Run r = run("tokenize", "--model", v3Vocab().toString(), "--text", "Hello world");
        assertEquals(0, r.code(), r.err());
        assertEquals("[19923, 2058]" + System.lineSeparator(), r.out());
    }

    @Test
    void tokenizeWithBosSpecialAndShow() {
        Run r = run("tokenize", "--model", v3Vocab().toString(), "--text", "<｜User｜>Hi 😀", "--special", "--bos", "--show");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\\R");
        assertTrue(lines[0].startsWith("[0, 128803, "), lines[0]);
        assertEquals("0\t\"<｜begin▁of▁sentence｜>\"", lines[1]);
        assertEquals("128803\t\"<｜User｜>\"", lines[2]);
        assertTrue(r.out().contains("\\\\xF0"), "partial UTF-8 shown as bytes: " + r.out());
    }

    @Test
    void tokenizeReadsATextFile(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, "深度求索发布了新的模型。", StandardCharsets.UTF_8);
        Run r = run("tokenize", "--model", v3Vocab().toString(), "--text-file", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("[17180, 1645, 4568, 53961, 5676, 8842, 320]", r.out().strip());
    }

    @Test
    void detokenizePrintsTheTextExactly() {
        Run r = run("detokenize", "--model", v3Vocab().toString(), "--ids", "0,19923,2058");
        assertEquals(0, r.code(), r.err());
        assertEquals("<｜begin▁of▁sentence｜>Hello world", r.out());
        assertEquals("Hello world", run("detokenize", "--model", v3Vocab().toString(), "--ids", "[19923, 2058]").out());
    }

    @Test
    void detokenizeRejectsBadIds() {
        Run r = run("detokenize", "--model", v3Vocab().toString(), "--ids", "1,x");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("'x'"), r.err());
        r = run("detokenize", "--model", v3Vocab().toString(), "--ids", "999999");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("999999"), r.err());
    }

    @Test
    void templateRendersTheModelsTemplate(@TempDir Path tmp) throws IOException {
        Path msgs = tmp.resolve("m.json");
        Files.writeString(msgs, "[{\"role\":\"system\",\"content\":\"You are helpful.\"},{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello!\"},{\"role\":\"user\",\"content\":\"2+2?\"}]");
        Run r = run("template", "--model", v3Vocab().toString(), "--messages", msgs.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("<｜begin▁of▁sentence｜>You are helpful.<｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>", r.out());
        r = run("template", "--model", v3Vocab().toString(), "--messages", msgs.toString(), "--no-generation-prompt");
        assertTrue(r.out().endsWith("<｜User｜>2+2?"), r.out());
        r = run("template", "--model", v3Vocab().toString(), "--messages", msgs.toString(), "--builtin", "deepseek-r1");
        assertTrue(r.out().endsWith("<｜Assistant｜><think>\n"), r.out());
    }

    @Test
    void templateErrorsAreOneLine(@TempDir Path tmp) throws IOException {
        Path msgs = tmp.resolve("m.json");
        Files.writeString(msgs, "{\"messages\": [{\"role\": \"user\"}]}");
        Run r = run("template", "--model", v3Vocab().toString(), "--messages", msgs.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("message 0"), r.err());
        Files.writeString(msgs, "[{");
        r = run("template", "--model", v3Vocab().toString(), "--messages", msgs.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not valid JSON"), r.err());
    }

    @Test
    void unknownPreTokenizerIsAUserError() {
        Run r = run("tokenize", "--model", "/no/such/file.gguf", "--text", "x");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
