package org.dsv3.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The {@code dsv3} command line: one subcommand per job. */
@Command(name = "dsv3", mixinStandardHelpOptions = true, version = "dsv3 0.1.0",
        description = "Inference for the DeepSeek-V3 family (GGUF architecture deepseek2) on the CPU and, through TornadoVM, on GPUs.",
        subcommands = {
                InfoCommand.class,
                SynthCommand.class,
                LogitsCommand.class,
                BenchCommand.class,
                ReportCommand.class,
                TokenizeCommand.class,
                DetokenizeCommand.class,
                TemplateCommand.class,
                RunCommand.class,
                ChatCommand.class,
                ServeCommand.class,
                DevicesCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        // prompts and token texts are UTF-8 whatever the platform's console encoding
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        return cl;
    }
}
