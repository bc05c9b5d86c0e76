package org.dsv3.runner.console;

/** Whether this process talks to a person on a terminal. */
public final class Terminals {
    private Terminals() {
    }

    /** True when standard input and output are a terminal (not a pipe, a file or a test harness). */
    public static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
