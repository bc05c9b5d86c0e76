package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server locked with {@code --api-key}: the OpenAI SDK with the key works, without it gets 401. */
class ApiKeyTest {
    static final String KEY = "sk-test-4b1d";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer("cpu", 1, 4, 128, KEY, ServerConfig.DEFAULT_IDLE_TIMEOUT_MS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static ChatCompletionCreateParams hi() {
        return ChatCompletionCreateParams.builder().model("tiny").addUserMessage("Hi").maxCompletionTokens(2).build();
    }

    @Test
    void theSdkWithTheKeyIsServed() {
        ChatCompletion c = server.openAi().chat().completions().create(hi());
        c.validate();
        assertEquals(2, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void theSdkWithAWrongKeyGets401() {
        OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("sk-wrong").maxRetries(0).timeout(Duration.ofSeconds(30)).build();
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> wrong.chat().completions().create(hi()));
            assertEquals(401, e.statusCode());
        } finally {
            wrong.close();
        }
    }

    @Test
    void rawRequestsWithoutOrWithABadKeyGet401InOpenAisShape() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (String auth : new String[] {null, "Bearer nope", "Basic " + KEY, "Bearer " + KEY + "x", "Bearer "}) {
                for (String path : new String[] {"/v1/chat/completions", "/v1/models"}) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                            .header("Content-Type", "application/json");
                    if (auth != null) {
                        b.header("Authorization", auth);
                    }
                    HttpRequest req = path.endsWith("models") ? b.GET().build()
                            : b.POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}")).build();
                    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                    BadRequestTest.assertError(r, 401, "invalid_request_error", null, "invalid_api_key");
                }
            }
        }
        assertEquals("ok", server.health().get("status").asText(), "/health needs no key");
        BadRequestTest.assertStillServing(server);
    }
}
