package org.dsv3.runner.console;

import java.io.PrintWriter;
import org.dsv3.runner.generate.ReasoningStream;

/**
 * Prints an answer as it streams, its R1-style reasoning set apart: dimmed on a colour terminal, between
 * {@code [reasoning]} and {@code [/reasoning]} lines elsewhere, or left out.
 */
public final class ReasoningPrinter implements ReasoningStream.Listener {

    /** How reasoning is shown. */
    public enum Style {
        /** Dim text (ANSI), for terminals with colour. */
        DIM,
        /** Plain text between marker lines, for pipes and files. */
        MARKED,
        /** Not shown. */
        HIDDEN;

        /** {@link #HIDDEN} when asked, else {@link #DIM} when colours are used and {@link #MARKED} otherwise. */
        public static Style choose(boolean hide, Palette palette) {
            return hide ? HIDDEN : palette.colours() ? DIM : MARKED;
        }
    }

    private static final String DIM_ON = Palette.ANSI.reasoning();
    private static final String DIM_OFF = Palette.ANSI.reset();

    private final PrintWriter out;
    private final Style style;
    private boolean inReasoning;
    private boolean anyContent;
    private boolean endsWithNewline = true;

    public ReasoningPrinter(PrintWriter out, Style style) {
        this.out = out;
        this.style = style;
    }

    @Override
    public void delta(String reasoning, String content) {
        if (!reasoning.isEmpty() && style != Style.HIDDEN) {
            if (!inReasoning) {
                out.print(style == Style.DIM ? DIM_ON : "[reasoning]\n");
                inReasoning = true;
            }
            write(reasoning);
        }
        if (!content.isEmpty()) {
            closeReasoning();
            anyContent = true;
            write(content);
        }
        out.flush();
    }

    /** Ends the output: closes an unfinished reasoning block and ends the line. */
    public void end() {
        closeReasoning();
        if (!endsWithNewline) {
            out.print('\n');
            endsWithNewline = true;
        }
        out.flush();
    }

    /** Whether any answer text (not reasoning) was printed. */
    public boolean printedContent() {
        return anyContent;
    }

    private void closeReasoning() {
        if (!inReasoning) {
            return;
        }
        inReasoning = false;
        if (style == Style.DIM) {
            out.print(DIM_OFF);
            out.print(endsWithNewline ? "\n" : "\n\n");
        } else {
            out.print(endsWithNewline ? "[/reasoning]\n" : "\n[/reasoning]\n");
        }
        endsWithNewline = true;
    }

    private void write(String s) {
        out.print(s);
        endsWithNewline = s.endsWith("\n");
    }
}
