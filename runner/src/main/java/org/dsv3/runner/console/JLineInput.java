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
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * A terminal through JLine: line editing and history. Ctrl-C on an empty prompt line is ignored
 * (it clears a half-typed line), Ctrl-D ends the chat; while an answer streams, Ctrl-C reaches
 * {@link #onInterrupt} through JLine's signal handling.
 */
public final class JLineInput implements ChatInput {
    private final Terminal terminal;
    private final LineReader reader;

    private final Palette palette;

    private JLineInput(Terminal terminal, Palette palette) {
        this.terminal = terminal;
        this.palette = palette;
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("dsv3");
        if (palette.colours()) {
            // what the user types is shown in the user's colour, as the prompt before it
            AttributedStyle style = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN).bold();
            builder.highlighter((reader, buffer) -> new AttributedString(buffer, style));
        }
        this.reader = builder.build();
    }

    /** The system terminal; the user's lines in {@code palette}'s colour. */
    public static JLineInput open(Palette palette) throws IOException {
        return new JLineInput(TerminalBuilder.builder().system(true).build(), palette);
    }

    @Override
    public String readLine(String prompt) {
        String shown = palette.user() + prompt + palette.reset();
        while (true) {
            try {
                return reader.readLine(shown);
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
