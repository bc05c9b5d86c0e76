package org.dsv3.runner.console;

import java.util.Map;

/**
 * The colours that tell apart who wrote what on a terminal: the user's lines (green), the model's
 * reasoning (dim) and its answer (the terminal's own colour). Colour is used only when standard
 * output is a terminal and {@code NO_COLOR} is unset or empty (no-color.org); otherwise every
 * code is the empty string and the text is printed as it is.
 *
 * @param user      turns the user's text on (the chat prompt and what is typed after it)
 * @param reasoning turns reasoning text on
 * @param reset     back to the terminal's colours
 */
public record Palette(String user, String reasoning, String reset) {
    /** No escape codes at all. */
    public static final Palette NONE = new Palette("", "", "");
    /** ANSI SGR codes: bold green for the user, faint for reasoning. */
    public static final Palette ANSI = new Palette("\u001b[1;32m", "\u001b[2m", "\u001b[0m");

    /** {@link #ANSI} on a terminal unless the environment has a non-empty {@code NO_COLOR}, else {@link #NONE}. */
    public static Palette choose(boolean stdoutIsTerminal, Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        return stdoutIsTerminal && (noColor == null || noColor.isEmpty()) ? ANSI : NONE;
    }

    /** For this process: whether its standard output is a terminal, and the real environment. */
    public static Palette forThisProcess() {
        return choose(Terminals.stdoutIsTerminal(), System.getenv());
    }

    /** Whether any colour is used. */
    public boolean colours() {
        return !reset.isEmpty();
    }
}
