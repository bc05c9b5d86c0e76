package org.dsv3.runner.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Reads a request body as a JSON object. Refuses a body that is not declared as JSON (415), one
 * whose declared length is over the limit at once from its header (413, the connection is then
 * closed), one that grows over the limit while read (413), one that stalls or breaks on the wire
 * (408, 400) and malformed JSON (400).
 */
final class JsonBody {
    /** How much of an oversized body is read and thrown away so the client sees the 413 rather than a reset. */
    private static final long DRAIN_LIMIT = 64L << 20;

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final long limit;

    JsonBody(long limit) {
        this.limit = limit;
    }

    JsonNode read(HttpServletRequest req, HttpServletResponse res) {
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).strip().matches("application/json\\s*(;.*)?")) {
            res.setHeader("Connection", "close");
            throw ApiError.notJson(type);
        }
        long declared = req.getContentLengthLong();
        if (declared > limit) {
            res.setHeader("Connection", "close");
            if (declared <= DRAIN_LIMIT) {
                drain(req); // so that a client still sending sees the 413 rather than a reset
            }
            throw ApiError.tooLarge(limit);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, limit)));
        try {
            InputStream in = req.getInputStream();
            byte[] chunk = new byte[16384];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (buf.size() + (long) n > limit) {
                    res.setHeader("Connection", "close");
                    drain(req);
                    throw ApiError.tooLarge(limit);
                }
                buf.write(chunk, 0, n);
            }
        } catch (IOException e) {
            res.setHeader("Connection", "close");
            throw ApiError.unreadable(isTimeout(e), rootMessage(e));
        }
        if (buf.size() == 0) {
            throw ApiError.invalid(null, "the request body is empty; expected a JSON object");
        }
        JsonNode root;
        try {
            root = mapper.readTree(buf.toByteArray());
        } catch (JacksonException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        return root;
    }

    private static boolean isTimeout(Throwable e) {
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause()) {
            if (e instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void drain(HttpServletRequest req) {
        byte[] sink = new byte[65536];
        long total = 0;
        try {
            InputStream in = req.getInputStream();
            int n;
            while (total < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // the client gave up sending, or stalled until the idle timeout: nothing more to drain
        }
    }
}
