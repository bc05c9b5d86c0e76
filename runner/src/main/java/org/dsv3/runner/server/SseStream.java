package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.dsv3.runner.generate.Cancellation;

/**
 * Server-sent events on a response: {@code data: <json>} events, comments, {@code data: [DONE]}.
 * Each event is flushed at once. A write that fails (the client closed the connection) marks the
 * stream broken and cancels the generation feeding it, so its slot is freed at the next token.
 */
final class SseStream {
    private final HttpServletResponse res;
    private final Cancellation cancel;
    private ServletOutputStream out;
    private volatile boolean broken;

    SseStream(HttpServletResponse res, Cancellation cancel) {
        this.res = res;
        this.cancel = cancel;
    }

    /** Sends the status and headers. */
    void start() {
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        try {
            out = res.getOutputStream();
            out.flush();
        } catch (IOException e) {
            fail();
        }
    }

    void event(JsonNode json) {
        write("data: " + json + "\n\n");
    }

    /** A comment line, which clients ignore: keeps the connection alive and finds out whether it still is. */
    void comment(String text) {
        write(": " + text + "\n\n");
    }

    void done() {
        write("data: [DONE]\n\n");
    }

    boolean started() {
        return out != null || broken;
    }

    boolean broken() {
        return broken;
    }

    private void write(String s) {
        if (broken || out == null) {
            return;
        }
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException e) {
            fail();
        }
    }

    private void fail() {
        broken = true;
        cancel.cancel();
    }
}
