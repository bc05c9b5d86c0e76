package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request that cannot be served, answered with an HTTP status and an OpenAI-style body:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed or a value is wrong; {@code param} names the field. */
    public static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }

    /** 400 with a machine-readable code (e.g. {@code context_length_exceeded}). */
    public static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", param, code, message);
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than " + limit + " bytes");
    }

    /** 415: only JSON bodies are read. */
    public static ApiError notJson(String contentType) {
        return new ApiError(415, "invalid_request_error", null, "unsupported_media_type",
                "the request body must be JSON sent with 'Content-Type: application/json'"
                        + (contentType == null ? " (the request has no Content-Type)" : ", not '" + contentType + "'"));
    }

    /** The body could not be read: it stalled (408) or was malformed on the wire (400). */
    public static ApiError unreadable(boolean timedOut, String detail) {
        return timedOut
                ? new ApiError(408, "invalid_request_error", null, "request_timeout",
                        "the request body stopped arriving before it was complete")
                : new ApiError(400, "invalid_request_error", null, "bad_request",
                        "the request body could not be read: " + detail);
    }

    public static ApiError busy(int queued) {
        return new ApiError(429, "rate_limit_error", null, "rate_limit_exceeded",
                "the server is busy: all slots are in use and " + queued + " requests are already waiting; retry later");
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, "invalid_request_error", null, "not_found", what);
    }

    public int status() {
        return status;
    }

    /** The error body. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode error = f.objectNode();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        ObjectNode root = f.objectNode();
        root.set("error", error);
        return root;
    }
}
