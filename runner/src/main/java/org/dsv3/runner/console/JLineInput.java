package org.dsv3.runner.console;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A terminal through JLine: line editing and history. Ctrl-C on an empty prompt line is ignored
 * (it clears a half-typed line), Ctrl-D ends the chat; while an answer streams, Ctrl-C reaches
 * {@link #onInterrupt} through JLine's signal handling.
 */
public final class JLineInput implements ChatInput {
    private final Terminal terminal;
    private final LineReader reader;

    private JLineInput(Terminal terminal) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("dsv3").build();
    }

    /** The system terminal. */
    public static JLineInput open() throws IOException {
        return new JLineInput(TerminalBuilder.builder().system(true).build());
    }

    @Override
    public String readLine(String prompt) {
        while (true) {
            try {
                return reader.readLine(prompt);
            } catch (UserInterruptException e) {
                if (e.getPartialLine().isEmpty()) {
                    terminal.writer().println("(Ctrl-D or /exit to quit)");
                }
            } catch (EndOfFileException e) {
                return null;
            }
        }
    }

    @Override
    public PrintWriter writer() {
        return terminal.writer();
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public AutoCloseable onInterrupt(Runnable action) {
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, sig -> action.run());
        return () -> terminal.handle(Terminal.Signal.INT, previous);
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
