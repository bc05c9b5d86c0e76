package org.dsv3.runner.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process talks to a person on a terminal. */
public final class Terminals {
    private Terminals() {
    }

    /** True when standard input and output are a terminal (not a pipe, a file or a test harness). */
    public static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /**
     * True when standard input alone is a terminal (standard output may be a pipe). On Linux this is
     * read from {@code /proc/self/fd/0}, a link to {@code /dev/pts/N} or {@code /dev/ttyN} for a
     * terminal; elsewhere it falls back to {@link #interactive()}.
     */
    public static boolean stdinIsTerminal() {
        return isTerminal(0);
    }

    /** True when standard output alone is a terminal (standard input may be a pipe); as {@link #stdinIsTerminal()}. */
    public static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    private static boolean isTerminal(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            if (Files.isSymbolicLink(link)) {
                return isTerminalDevice(Files.readSymbolicLink(link).toString());
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            // fall through
        }
        return interactive();
    }

    /** Whether a device path names a terminal: {@code /dev/pts/3}, {@code /dev/tty1}, {@code /dev/console}. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
