package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dsv3.model.TestData;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.chat.JinjaChatTemplate;
import org.dsv3.runner.console.Palette;
import org.dsv3.runner.console.ReasoningPrinter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** llama.cpp's option names, checks before loading, the prompt on stdin, colour choice, vocab-only files. */
class CliOptionsTest {
    /** A model path that does not exist: an error about anything else proves nothing was loaded. */
    private static final String NO_MODEL = "/nonexistent/never-loaded.gguf";

    private static <T> T parsed(String... args) {
        CommandLine.ParseResult pr = Main.commandLine().parseArgs(args);
        return pr.subcommand().commandSpec().commandLine().getCommand();
    }

    @Test
    void llamaCppNamesAreAliases() {
        RunCommand run = parsed("run", "-m", "m.gguf", "--temp", "0.3", "--ctx-size", "99", "--n-predict", "7", "-b", "16",
                "--top-k", "5", "--top-p", "0.5", "--min-p", "0.1", "--repeat-penalty", "1.1", "--seed", "3", "-t", "1",
                "-f", "q.txt", "--chat-template", "deepseek-v3");
        assertEquals(Path.of("m.gguf"), run.modelOptions.model);
        assertEquals(0.3f, run.sampling.temperature);
        assertEquals(99, run.modelOptions.ctx);
        assertEquals(7, run.sampling.maxTokens);
        assertEquals(16, run.batch.batch);
        assertEquals(5, run.sampling.topK);
        assertEquals(0.5f, run.sampling.topP);
        assertEquals(0.1f, run.sampling.minP);
        assertEquals(1.1f, run.sampling.repeatPenalty);
        assertEquals(3L, run.sampling.seed);
        assertEquals(1, run.modelOptions.threads);
        assertEquals(Path.of("q.txt"), run.promptFile);
        assertEquals("deepseek-v3", run.modelOptions.chatTemplate);

        ChatCommand chat = parsed("chat", "-m", "m.gguf", "-c", "64", "--batch-size", "8", "--temp", "0");
        assertEquals(64, chat.modelOptions.ctx);
        assertEquals(8, chat.batch.batch);
        ServeCommand serve = parsed("serve", "-m", "m.gguf", "--ctx-size", "128", "--chat-template", "kimi-k2", "-b", "64");
        assertEquals(128, serve.modelOptions.ctx);
        assertEquals(64, serve.batch.batch);
    }

    @Test
    void minusOneMeansNoLimitAndARandomSeedAsInLlamaCpp() {
        RunCommand run = parsed("run", "-m", "m.gguf", "-n", "-1", "--seed", "-1");
        assertEquals(0, run.sampling.params().maxTokens(), "-1 = until the model stops");
        assertTrue(run.sampling.seed == -1L);
        RunCommand bad = parsed("run", "-m", "m.gguf", "-n", "-2");
        assertTrue(assertThrowsUserError(() -> bad.sampling.params()).contains("--max-tokens"));
    }

    @Test
    void everyCommandThatTakesAModelTakesMinusM() {
        int withModel = 0;
        for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
            CommandLine.Model.OptionSpec model = sub.getCommandSpec().findOption("--model");
            if (model != null) {
                withModel++;
                assertTrue(List.of(model.names()).contains("-m"), sub.getCommandName() + " has --model but not -m");
            }
        }
        assertTrue(withModel >= 9, "info, logits, bench, tokenize, detokenize, template, run, chat, serve: " + withModel);
    }

    static String assertThrowsUserError(Runnable r) {
        try {
            r.run();
        } catch (UserError e) {
            return e.getMessage();
        }
        throw new AssertionError("no UserError");
    }

    /** One line on stderr, exit code 1, naming {@code expected}: and no sign of the model being opened. */
    private static void refusedBeforeLoading(String expected, String... args) {
        RunCommandTest.Result r = RunCommandTest.run(args);
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("never-loaded"), "the model was not touched: " + r.err());
    }

    @Test
    void everyOptionIsCheckedBeforeTheModelIsLoaded() {
        refusedBeforeLoading("--kv-type", "run", "-m", NO_MODEL, "-p", "x", "--kv-type", "q9");
        refusedBeforeLoading("--ctx", "run", "-m", NO_MODEL, "-p", "x", "-c", "-5");
        refusedBeforeLoading("--threads", "run", "-m", NO_MODEL, "-p", "x", "-t", "100000");
        refusedBeforeLoading("--batch-size", "run", "-m", NO_MODEL, "-p", "x", "-b", "0");
        refusedBeforeLoading("--device", "run", "-m", NO_MODEL, "-p", "x", "--device", ":0");
        refusedBeforeLoading("no backend", "run", "-m", NO_MODEL, "-p", "x", "--device", "warp-drive");
        refusedBeforeLoading("the cpu device takes 'exact' or 'int8'", "run", "-m", NO_MODEL, "-p", "x", "--device", "cpu:fast");
        refusedBeforeLoading("--chat-template nope", "run", "-m", NO_MODEL, "-p", "x", "--chat-template", "nope");
        refusedBeforeLoading("top-p", "chat", "-m", NO_MODEL, "--top-p", "2");
        refusedBeforeLoading("--kv-type", "chat", "-m", NO_MODEL, "--kv-type", "int4");
        refusedBeforeLoading("--port must be in 0..65535", "serve", "-m", NO_MODEL, "--port", "70000");
        refusedBeforeLoading("--host nosuch.invalid: unknown host", "serve", "-m", NO_MODEL, "--host", "nosuch.invalid");
        refusedBeforeLoading("--kv-type", "serve", "-m", NO_MODEL, "--kv-type", "x");
        refusedBeforeLoading("--queue", "serve", "-m", NO_MODEL, "--queue", "-1");
        refusedBeforeLoading("--parallel", "serve", "-m", NO_MODEL, "--parallel", "0");
        refusedBeforeLoading("--batch-size", "serve", "-m", NO_MODEL, "--batch-size", "0");
        refusedBeforeLoading("--cors-origin 'example.org' is not an origin", "serve", "-m", NO_MODEL, "--cors-origin", "example.org");
        refusedBeforeLoading("is not an origin", "serve", "-m", NO_MODEL, "--cors-origin", "https://a.example/path");
        refusedBeforeLoading("--cors-origin * without an API key", "serve", "-m", NO_MODEL, "--cors-origin", "*");
    }

    /** The default cache type follows the device: f16 on the CPU, f32 on a device that keeps only f32 (tornado). */
    @Test
    void theDefaultCacheTypeIsOneTheDeviceKeeps() {
        RunCommand onCpu = parsed("run", "-m", NO_MODEL, "-p", "x");
        assertEquals(org.dsv3.model.backend.KvCacheType.F16, onCpu.modelOptions.sessionOptions().kvCacheType());
        RunCommand onF32 = parsed("run", "-m", NO_MODEL, "-p", "x", "--device", "floatcache");
        assertEquals(org.dsv3.model.backend.KvCacheType.F32, onF32.modelOptions.sessionOptions().kvCacheType());
        refusedBeforeLoading("--kv-type f16: the floatcache device keeps the latent cache in f32", "run", "-m", NO_MODEL, "-p", "x",
                "--device", "floatcache", "--kv-type", "f16");
        RunCommandTest.Result r = withStdin("", true, tinyRaw("-p", "The sky is", "--device", "floatcache"));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aPortInUseIsOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            refusedBeforeLoading("port " + port + " on 127.0.0.1 is already in use", "serve", "-m", NO_MODEL,
                    "--host", "127.0.0.1", "--port", Integer.toString(port));
        }
    }

    private static RunCommandTest.Result withStdin(String stdin, boolean terminal, String... args) {
        CommandLine cl = Main.commandLine();
        RunCommand run = cl.getSubcommands().get("run").getCommand();
        run.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        run.stdinIsTerminal = () -> terminal;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new RunCommandTest.Result(code, out.toString(), err.toString());
    }

    private static String[] tinyRaw(String... extra) {
        return RunCommandTest.withDefaults(List.of("run", "-m", TestModels.tiny().toString(), "-t", "2", "-c", "128",
                "--raw", "--temperature", "0", "-n", "4"), extra);
    }

    @Test
    void thePromptComesFromStdinWhenPipedOrWithDashF() {
        String text = "The capital of France is";
        RunCommandTest.Result given = withStdin("", false, tinyRaw("-p", text));
        RunCommandTest.Result piped = withStdin(text, false, tinyRaw());
        RunCommandTest.Result dash = withStdin(text, true, tinyRaw("-f", "-"));
        int tokens = TestModels.tokenizer().encode(text, true, true).length;
        for (RunCommandTest.Result r : List.of(given, piped, dash)) {
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("prompt " + tokens + " tokens"), r.err());
        }
        assertEquals(given.out(), piped.out(), "greedy: the same prompt, the same answer");
        assertEquals(given.out(), dash.out());

        RunCommandTest.Result none = withStdin("", true, tinyRaw());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no prompt: give it with -p TEXT or -f FILE, or pipe it in"), none.err());
        RunCommandTest.Result empty = withStdin("  \n", false, tinyRaw());
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("nothing came on standard input"), empty.err());
        RunCommandTest.Result both = withStdin("", false, tinyRaw("-p", "a", "-f", "b.txt"));
        assertEquals(1, both.code());
        assertTrue(both.err().contains("not both"), both.err());
    }

    @Test
    void chatTemplateFileReplacesTheModelsOwn(@TempDir Path dir) throws Exception {
        String source = "{% for m in messages %}[{{ m.role }}]{{ m.content }}\n{% endfor %}"
                + "{% if add_generation_prompt %}[assistant]{% endif %}";
        Path file = dir.resolve("mine.jinja");
        Files.writeString(file, source);
        RunCommandTest.Result r = RunCommandTest.generate("-p", "Hello", "-n", "1", "--temperature", "0",
                "--chat-template", file.toString());
        assertEquals(0, r.code(), r.err());
        ChatTemplate mine = new JinjaChatTemplate("test", source, "", "");
        int expected = ChatTemplate.encode(TestModels.tokenizer(), mine, List.of(ChatMessage.user("Hello")), true).length;
        int own = ChatTemplate.encode(TestModels.tokenizer(), TestModels.template(), List.of(ChatMessage.user("Hello")), true).length;
        assertTrue(expected != own, "the test template must tokenize differently from the file's");
        assertTrue(r.err().contains("prompt " + expected + " tokens"), r.err());
        assertTrue(r.err().contains("chat template mine.jinja (--chat-template)"), r.err());

        RunCommandTest.Result builtin = RunCommandTest.generate("-p", "Hello", "-n", "1", "--chat-template", "deepseek-r1");
        assertEquals(0, builtin.code(), builtin.err());
        assertTrue(builtin.err().contains("chat template built-in deepseek-r1"), builtin.err());

        Path blank = dir.resolve("blank.jinja");
        Files.writeString(blank, " \n");
        refusedBeforeLoading("the file is empty", "run", "-m", NO_MODEL, "-p", "x", "--chat-template", blank.toString());
        Path broken = dir.resolve("broken.jinja");
        Files.writeString(broken, "{% for m in messages %}{{ m.content }}");
        refusedBeforeLoading("--chat-template: chat template broken.jinja", "run", "-m", NO_MODEL, "-p", "x",
                "--chat-template", broken.toString());
    }

    @Test
    void aVocabularyOnlyFileIsOneLine() {
        Path vocab = TestData.require("tokenizer/deepseek-v3-vocab.gguf");
        RunCommandTest.Result r = RunCommandTest.run("run", "-m", vocab.toString(), "-p", "hi");
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("is a vocabulary-only GGUF (tokenizer and chat template, no weights)"), r.err());
    }

    @Test
    void colourOnlyOnATerminalWithoutNoColor() {
        assertSame(Palette.ANSI, Palette.choose(true, Map.of()));
        assertSame(Palette.ANSI, Palette.choose(true, Map.of("NO_COLOR", "")), "no-color.org: an empty value does not count");
        assertSame(Palette.NONE, Palette.choose(true, Map.of("NO_COLOR", "1")));
        assertSame(Palette.NONE, Palette.choose(false, Map.of()));
        assertEquals(ReasoningPrinter.Style.DIM, ReasoningPrinter.Style.choose(false, Palette.ANSI));
        assertEquals(ReasoningPrinter.Style.MARKED, ReasoningPrinter.Style.choose(false, Palette.NONE));
        assertEquals(ReasoningPrinter.Style.HIDDEN, ReasoningPrinter.Style.choose(true, Palette.ANSI));
        assertTrue(Palette.ANSI.user().startsWith("\u001b[") && Palette.ANSI.reset().equals("\u001b[0m"));
        RunCommandTest.Result r = RunCommandTest.generate("-p", "Hi", "-n", "6", "--seed", "2");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("\u001b"), "no escape codes in a pipe: " + r.out());
    }
}
