package org.dsv3.runner.server;

/**
 * How the server listens and shares the model.
 *
 * @param host          address to bind (127.0.0.1 keeps it on this machine)
 * @param port          TCP port; 0 = any free one
 * @param parallel      slots: requests generated at the same time, each with its own KV cache
 * @param queue         requests that may wait for a slot; more are refused with 429
 * @param maxBodyBytes  largest request body accepted (413 above)
 * @param modelName     the model's id in the API
 * @param apiKey        the key clients must send as {@code Authorization: Bearer <key>}; {@code null} = none
 * @param idleTimeoutMs how long a connection may send nothing (a stalled upload, an idle keep-alive) before it is closed
 * @param corsOrigins   web origins allowed to call the API ({@code --cors-origin}: scheme://host[:port], or {@code *})
 */
public record ServerConfig(String host, int port, int parallel, int queue, long maxBodyBytes, String modelName,
                           String apiKey, long idleTimeoutMs, java.util.List<String> corsOrigins) {
    public static final long DEFAULT_MAX_BODY = 1L << 20;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 10_000;

    public ServerConfig {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, got " + parallel);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("--queue must be >= 0, got " + queue);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key is empty");
        }
        if (idleTimeoutMs < 100) {
            throw new IllegalArgumentException("the idle timeout must be at least 100 ms, got " + idleTimeoutMs);
        }
        corsOrigins = corsOrigins == null ? java.util.List.of() : corsOrigins.stream().map(CorsPolicy::normalize).toList();
    }

    /** Without cross-origin access. */
    public ServerConfig(String host, int port, int parallel, int queue, long maxBodyBytes, String modelName,
                        String apiKey, long idleTimeoutMs) {
        this(host, port, parallel, queue, maxBodyBytes, modelName, apiKey, idleTimeoutMs, java.util.List.of());
    }

    /** No API key, the default idle timeout. */
    public ServerConfig(String host, int port, int parallel, int queue, long maxBodyBytes, String modelName) {
        this(host, port, parallel, queue, maxBodyBytes, modelName, null, DEFAULT_IDLE_TIMEOUT_MS);
    }

    /** Whether the address reaches beyond this machine. */
    public boolean beyondLoopback() {
        return !AccessCheck.isLoopbackName(host);
    }
}
