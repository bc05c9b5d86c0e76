package org.dsv3.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.dsv3.runner.console.ChatInput;
import org.dsv3.runner.console.JLineInput;
import org.dsv3.runner.console.Palette;
import org.dsv3.runner.console.PlainInput;
import org.dsv3.runner.console.ReasoningPrinter;
import org.dsv3.runner.console.Terminals;
import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.generate.Cancellation;
import org.dsv3.runner.generate.ContextOverflowException;
import org.dsv3.runner.generate.Conversation;
import org.dsv3.runner.generate.FinishReason;
import org.dsv3.runner.generate.GenerationParams;
import org.dsv3.runner.generate.GenerationResult;
import org.dsv3.runner.generate.Generator;
import org.dsv3.runner.generate.Prompt;
import org.dsv3.runner.generate.PromptFormat;
import org.dsv3.runner.generate.ReasoningStream;
import org.dsv3.runner.load.LoadedModel;
import org.dsv3.runner.load.ModelLoader;
import org.dsv3.runner.load.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dsv3 chat}: a multi-turn conversation. On a terminal: line editing (JLine), Ctrl-C stops
 * the answer being written and keeps the session, Ctrl-D or {@code /exit} quits. From a pipe: one
 * message per line, answers on stdout. The KV cache is kept between turns, so each turn only
 * computes what it adds to the conversation.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Interactive multi-turn chat with the model's chat template.",
                "Commands: /reset starts a new conversation, /exit (or Ctrl-D) quits. Ctrl-C stops an answer.",
                "Without a terminal, each line of standard input is one user message."})
public final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-s", "--system"}, paramLabel = "TEXT", description = "a system message")
    String system;

    @Option(names = "--hide-reasoning", description = "do not show R1-style reasoning (<think>…</think>)")
    boolean hideReasoning;

    @Option(names = "--stats", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "print token counts and speed after each answer on stderr (default: on)")
    boolean stats;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    BatchOption batch;

    @Override
    public Integer call() throws IOException {
        GenerationParams params = sampling.params();
        modelOptions.validate();
        int chunk = batch.value();
        PrintWriter err = spec.commandLine().getErr();
        boolean terminal = Terminals.interactive();
        Palette palette = Palette.forThisProcess();
        try (LoadedModel model = new ModelLoader(Progress.forTerminal(err, terminal)).load(modelOptions.spec());
             CachedSession session = model.newSession(modelOptions.sessionOptions());
             ChatInput input = openInput(terminal, palette)) {
            if (model.template().isEmpty()) {
                throw new UserError(model.templateProblem() + " (dsv3 run --raw works without one)");
            }
            new Turns(model.prompts(), new Generator(model.tokenizer(), session, chunk), input, err, params, palette)
                    .loop(model.name());
        }
        return 0;
    }

    private ChatInput openInput(boolean terminal, Palette palette) {
        PrintWriter out = spec.commandLine().getOut();
        if (terminal) {
            try {
                return JLineInput.open(palette);
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println("dsv3: no line editing (" + e.getMessage() + ")");
            }
        }
        return new PlainInput(System.in, out);
    }

    /** The read–answer loop. */
    private final class Turns {
        private final PromptFormat prompts;
        private final Generator generator;
        private final ChatInput input;
        private final PrintWriter out;
        private final PrintWriter err;
        private final GenerationParams params;
        private final Palette palette;
        private final Conversation conversation = new Conversation(system);

        Turns(PromptFormat prompts, Generator generator, ChatInput input, PrintWriter err, GenerationParams params,
              Palette palette) {
            this.prompts = prompts;
            this.generator = generator;
            this.input = input;
            this.out = input.writer();
            this.err = err;
            this.params = params;
            this.palette = palette;
        }

        void loop(String modelName) {
            if (input.interactive()) {
                out.println("Chatting with " + modelName + ". /reset starts over, /exit quits, Ctrl-C stops an answer.");
                out.flush();
            }
            String line;
            while ((line = input.readLine("> ")) != null) {
                String cmd = line.strip();
                if (cmd.isEmpty()) {
                    continue;
                }
                if (cmd.equals("/exit") || cmd.equals("/quit") || cmd.equals("/bye")) {
                    break;
                }
                if (cmd.equals("/reset") || cmd.equals("/clear")) {
                    conversation.reset();
                    generator.session().reset();
                    out.println("(new conversation)");
                    out.flush();
                    continue;
                }
                if (cmd.equals("/help") || cmd.equals("/?")) {
                    out.println("/reset  start a new conversation\n/exit   quit\nCtrl-C  stop the answer being written");
                    out.flush();
                    continue;
                }
                conversation.addUser(line);
                answer();
            }
        }

        private void answer() {
            Prompt prompt = prompts.chat(conversation.messages());
            ReasoningPrinter printer = new ReasoningPrinter(out,
                    ReasoningPrinter.Style.choose(hideReasoning, input.interactive() ? palette : Palette.NONE));
            ReasoningStream stream = new ReasoningStream(prompt.opensReasoning(), printer);
            Cancellation cancel = new Cancellation();
            GenerationResult result;
            try (AutoCloseable ignored = input.onInterrupt(cancel::cancel)) {
                result = generator.generate(prompt.tokens(), params, stream, cancel);
            } catch (ContextOverflowException e) {
                conversation.removeLast();
                out.println("(the conversation no longer fits: " + e.getMessage() + "; /reset starts over)");
                out.flush();
                return;
            } catch (Exception e) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
            stream.finish();
            printer.end();
            if (result.finish() == FinishReason.CANCELLED) {
                out.println("(interrupted)");
            } else if (result.finish() == FinishReason.CONTEXT_FULL) {
                out.println("(the context is full; /reset starts over)");
            }
            out.flush();
            conversation.addAssistant(result.text());
            if (stats) {
                err.println("dsv3: " + result.stats().summary());
                err.flush();
            }
        }
    }
}
