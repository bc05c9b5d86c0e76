package org.dsv3.runner.console;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TerminalsTest {
    @Test
    void terminalDevicesAreToldFromPipesAndFiles() {
        assertTrue(Terminals.isTerminalDevice("/dev/pts/3"));
        assertTrue(Terminals.isTerminalDevice("/dev/tty1"));
        assertFalse(Terminals.isTerminalDevice("pipe:[123456]"));
        assertFalse(Terminals.isTerminalDevice("/dev/null"));
        assertFalse(Terminals.isTerminalDevice("/home/me/prompt.txt"));
        assertFalse(Terminals.stdinIsTerminal(), "the test JVM's stdin is a pipe from the build");
        assertFalse(Terminals.stdoutIsTerminal(), "and so is its stdout");
    }
}
