package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.dsv3.runner.load.LoadedModel;
import org.junit.jupiter.api.Test;

/**
 * The warm-up: the server listens at once, answers {@code /health} 503 {@code {"status": "loading model"}}
 * and generation requests 503 while the model's first forward step runs, then ok.
 */
class WarmUpTest {
    @Test
    void healthSaysLoadingUntilTheFirstForwardStepHasRun() throws Exception {
        TestModels.script("Ok.");
        LoadedModel model = TestServer.model("scripted");
        CountDownLatch slowDevice = new CountDownLatch(1);
        ScriptedBackendProvider.hold = slowDevice;
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 1, 4, ServerConfig.DEFAULT_MAX_BODY, "tiny");
        try (ApiServer server = new ApiServer(model, new SessionOptions(KvCacheType.F16, 64), config);
             HttpClient http = HttpClient.newHttpClient()) {
            ScriptedBackendProvider.fed.clear();
            server.start();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> health = get(http, base + "/health");
            assertEquals(503, health.statusCode(), health.body());
            assertEquals("loading model", TestServer.JSON.readTree(health.body()).get("status").asText());
            HttpResponse<String> early = post(http, base + "/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}");
            assertEquals(503, early.statusCode(), early.body());
            assertEquals("loading_model", TestServer.JSON.readTree(early.body()).at("/error/code").asText());

            slowDevice.countDown();
            assertTrue(server.awaitWarm(10_000));
            JsonNode ok = TestServer.JSON.readTree(get(http, base + "/health").body());
            assertEquals("ok", ok.get("status").asText());
            synchronized (ScriptedBackendProvider.fed) {
                assertEquals(1, ScriptedBackendProvider.fed.size(), "one forward step before any request");
                assertArrayEquals(new int[] {model.tokenizer().bosId()}, ScriptedBackendProvider.fed.getFirst());
            }
            HttpResponse<String> after = post(http, base + "/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 5}");
            assertEquals(200, after.statusCode(), after.body());
            assertEquals("Ok.", TestServer.JSON.readTree(after.body()).at("/choices/0/text").asText(),
                    "the warm-up left nothing in the cache");
        } finally {
            ScriptedBackendProvider.hold = null;
            slowDevice.countDown();
        }
    }

    static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(HttpClient http, String uri, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
