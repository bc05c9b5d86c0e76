package org.dsv3.runner.console;

import java.io.PrintWriter;

/** Where {@code dsv3 chat} reads the user's lines and writes its answers. */
public interface ChatInput extends AutoCloseable {

    /** The next line, or {@code null} at the end of input (Ctrl-D, end of a pipe). */
    String readLine(String prompt);

    /** Where answers go. */
    PrintWriter writer();

    /** Whether a person is typing on a terminal (prompts and colours are shown). */
    boolean interactive();

    /** Runs {@code action} on Ctrl-C until the returned handle is closed (while an answer is generated). */
    AutoCloseable onInterrupt(Runnable action);

    @Override
    void close();
}
