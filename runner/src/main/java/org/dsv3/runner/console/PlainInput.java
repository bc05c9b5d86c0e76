package org.dsv3.runner.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Lines from a stream (a pipe, a file, a test) as UTF-8; no prompts are shown. */
public final class PlainInput implements ChatInput {
    private final BufferedReader in;
    private final PrintWriter out;

    public PlainInput(InputStream in, PrintWriter out) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
    }

    @Override
    public String readLine(String prompt) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public PrintWriter writer() {
        return out;
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public AutoCloseable onInterrupt(Runnable action) {
        return InterruptHandler.install(action);
    }

    @Override
    public void close() {
        out.flush();
    }
}
