package org.dsv3.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.runner.console.InterruptHandler;
import org.dsv3.runner.console.Palette;
import org.dsv3.runner.console.ReasoningPrinter;
import org.dsv3.runner.console.Terminals;
import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.generate.Cancellation;
import org.dsv3.runner.generate.ContextOverflowException;
import org.dsv3.runner.generate.FinishReason;
import org.dsv3.runner.generate.GenerationParams;
import org.dsv3.runner.generate.GenerationResult;
import org.dsv3.runner.generate.Generator;
import org.dsv3.runner.generate.Prompt;
import org.dsv3.runner.generate.ReasoningStream;
import org.dsv3.runner.load.LoadedModel;
import org.dsv3.runner.load.ModelLoader;
import org.dsv3.runner.load.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dsv3 run}: one prompt, the answer streamed to stdout, statistics on stderr. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates an answer to one prompt and streams it to stdout; a statistics line goes to stderr.",
                "The prompt is rendered with the model's chat template unless --raw is given. Ctrl-C stops the answer."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "the prompt (default: standard input, when it is not a terminal)")
    String prompt;

    @Option(names = {"-f", "--file", "--prompt-file"}, paramLabel = "FILE", description = "read the prompt from a UTF-8 file; - = standard input")
    Path promptFile;

    @Option(names = {"-s", "--system"}, paramLabel = "TEXT", description = "a system message (chat template only)")
    String system;

    @Option(names = "--raw", description = "feed the prompt as it is, without the chat template")
    boolean raw;

    @Option(names = "--hide-reasoning", description = "do not print R1-style reasoning (<think>…</think>)")
    boolean hideReasoning;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    BatchOption batch;

    /** Where a prompt not given with -p or -f comes from (tests replace it). */
    InputStream stdin = System.in;
    /** Whether {@link #stdin} is a terminal, where nobody is going to pipe a prompt (tests replace it). */
    BooleanSupplier stdinIsTerminal = Terminals::stdinIsTerminal;

    @Override
    public Integer call() throws IOException {
        if (raw && system != null) {
            throw new UserError("--system needs the chat template; it cannot be combined with --raw");
        }
        GenerationParams params = sampling.params();
        modelOptions.validate();
        int chunk = batch.value();
        String text = promptText();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = Terminals.interactive();
        Palette palette = Palette.forThisProcess();
        try (LoadedModel model = new ModelLoader(Progress.forTerminal(err, terminal)).load(modelOptions.spec());
             CachedSession session = model.newSession(modelOptions.sessionOptions())) {
            if (!raw && model.template().isEmpty()) {
                throw new UserError(model.templateProblem() + " (use --raw)");
            }
            Prompt p = raw ? model.rawPrompts().raw(text) : model.prompts().chat(messages(text));
            ReasoningPrinter printer = new ReasoningPrinter(out, ReasoningPrinter.Style.choose(hideReasoning, palette));
            ReasoningStream stream = new ReasoningStream(p.opensReasoning(), printer);
            Cancellation cancel = new Cancellation();
            GenerationResult result;
            try (InterruptHandler ignored = InterruptHandler.install(cancel::cancel)) {
                result = new Generator(model.tokenizer(), session, chunk).generate(p.tokens(), params, stream, cancel);
            } catch (ContextOverflowException e) {
                throw new UserError(e.getMessage() + " (raise --ctx)");
            }
            stream.finish();
            printer.end();
            report(err, result, session.maxContext());
        }
        return 0;
    }

    static void report(PrintWriter err, GenerationResult result, int maxContext) {
        if (result.finish() == FinishReason.CONTEXT_FULL) {
            err.println("dsv3: the context is full (" + maxContext + " tokens): stopped; raise --ctx for longer answers");
        } else if (result.finish() == FinishReason.CANCELLED) {
            err.println("dsv3: interrupted");
        }
        err.println("dsv3: " + result.stats().summary() + "; stopped by " + result.finish().description());
        err.flush();
    }

    /** The prompt: -p's text, -f's file (- = stdin), or stdin when neither is given and stdin is not a terminal. */
    private String promptText() throws IOException {
        if (prompt != null && promptFile != null) {
            throw new UserError("give the prompt with one of --prompt or --file, not both");
        }
        String text;
        if (prompt != null) {
            text = prompt;
        } else if (promptFile != null && !promptFile.toString().equals("-")) {
            text = Files.readString(promptFile, StandardCharsets.UTF_8);
        } else if (promptFile == null && stdinIsTerminal.getAsBoolean()) {
            throw new UserError("no prompt: give it with -p TEXT or -f FILE, or pipe it in on standard input");
        } else {
            text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                throw new UserError("the prompt is empty (nothing came on standard input)");
            }
        }
        if (text.isEmpty()) {
            throw new UserError("the prompt is empty");
        }
        return text;
    }

    private List<ChatMessage> messages(String text) {
        List<ChatMessage> msgs = new ArrayList<>();
        if (system != null) {
            msgs.add(ChatMessage.system(system));
        }
        msgs.add(ChatMessage.user(text));
        return msgs;
    }
}
