package org.dsv3.runner.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body as a JSON object, refusing bodies over a size limit (413) before they are
 * buffered whole, and malformed JSON (400).
 */
final class JsonBody {
    /** How much of an oversized body is read and thrown away so the client sees the 413 rather than a reset. */
    private static final long DRAIN_LIMIT = 64L << 20;

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final long limit;

    JsonBody(long limit) {
        this.limit = limit;
    }

    JsonNode read(HttpServletRequest req) throws IOException {
        long declared = req.getContentLengthLong();
        InputStream in = req.getInputStream();
        if (declared > limit) {
            drain(in);
            throw ApiError.tooLarge(limit);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, limit)));
        byte[] chunk = new byte[16384];
        int n;
        while ((n = in.read(chunk)) > 0) {
            if (buf.size() + (long) n > limit) {
                drain(in);
                throw ApiError.tooLarge(limit);
            }
            buf.write(chunk, 0, n);
        }
        if (buf.size() == 0) {
            throw ApiError.invalid(null, "the request body is empty; expected a JSON object");
        }
        JsonNode root;
        try {
            root = mapper.readTree(buf.toByteArray());
        } catch (JacksonException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        return root;
    }

    private static void drain(InputStream in) {
        byte[] sink = new byte[65536];
        long total = 0;
        try {
            int n;
            while (total < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
                total += n;
            }
        } catch (IOException e) {
            // the client gave up sending: nothing to drain
        }
    }
}
