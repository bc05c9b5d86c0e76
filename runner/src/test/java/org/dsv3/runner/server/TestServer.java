package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.TestModels;
import org.dsv3.runner.load.LoadedModel;

/** {@code dsv3 serve} in the test JVM on a loopback ephemeral port, with clients to talk to it. */
final class TestServer implements AutoCloseable {
    private static final Map<String, LoadedModel> MODELS = new HashMap<>();
    static final ObjectMapper JSON = new ObjectMapper();

    private final ApiServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The tiny model on {@code provider} ({@code cpu} or {@code scripted}), loaded once per test run. */
    static synchronized LoadedModel model(String provider) {
        return MODELS.computeIfAbsent(provider, TestModels::load);
    }

    TestServer(String provider, int parallel, int queue, int ctx) {
        this(provider, parallel, queue, ctx, null, ServerConfig.DEFAULT_IDLE_TIMEOUT_MS);
    }

    /** With an API key ({@code null} = none) and an idle timeout. */
    TestServer(String provider, int parallel, int queue, int ctx, String apiKey, long idleTimeoutMs) {
        this(provider, parallel, queue, ctx, apiKey, idleTimeoutMs, java.util.List.of());
    }

    /** With web origins allowed to call it ({@code --cors-origin}). */
    TestServer(String provider, int parallel, int queue, int ctx, String apiKey, long idleTimeoutMs,
               java.util.List<String> corsOrigins) {
        this.apiKey = apiKey;
        server = new ApiServer(model(provider), new SessionOptions(KvCacheType.F16, ctx),
                new ServerConfig("127.0.0.1", 0, parallel, queue, ServerConfig.DEFAULT_MAX_BODY, "tiny", apiKey,
                        idleTimeoutMs, corsOrigins), org.dsv3.runner.generate.Generator.DEFAULT_PREFILL_CHUNK,
                new java.io.PrintStream(requestLog, true, java.nio.charset.StandardCharsets.UTF_8)).start();
        try {
            if (!server.awaitWarm(60_000)) {
                throw new AssertionError("the server did not warm up in 60 s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private final String apiKey;
    /** The server's per-request lines (kept here instead of going to stderr). */
    private final java.io.ByteArrayOutputStream requestLog = new java.io.ByteArrayOutputStream();

    /** The per-request lines written so far. */
    java.util.List<String> requestLines() {
        synchronized (requestLog) {
            return requestLog.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
    }

    int port() {
        return server.port();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    private OpenAIClient openAi;

    /** An OpenAI SDK client for this server (closed with it). */
    synchronized OpenAIClient openAi() {
        if (openAi == null) {
            openAi = newOpenAi();
        }
        return openAi;
    }

    private OpenAIClient newOpenAi() {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + port() + "/v1")
                .apiKey(apiKey != null ? apiKey : "not-needed")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return post(path, HttpRequest.BodyPublishers.ofString(body));
    }

    HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(body);
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest req = b.build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode health() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/health");
        if (r.statusCode() != 200) {
            throw new AssertionError("health: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Sends {@code raw} bytes as they are on a new connection and reads the answer until the server
     * closes it or {@code readMillis} pass; returns what came ({@code ""} when nothing did).
     */
    String raw(byte[] raw, int readMillis) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port())) {
            s.setSoTimeout(readMillis);
            s.getOutputStream().write(raw);
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                java.io.InputStream in = s.getInputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // what came before the timeout or reset is the answer
            }
            return got.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    String raw(String raw, int readMillis) throws IOException {
        return raw(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8), readMillis);
    }

    @Override
    public void close() {
        if (openAi != null) {
            openAi.close();
        }
        server.close();
        http.close();
    }
}
