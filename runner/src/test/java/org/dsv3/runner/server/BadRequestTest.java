package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input over plain HTTP: each case gets its 4xx with an OpenAI-style error body, and the
 * server answers a health check and a good request right after.
 */
class BadRequestTest {
    static final int CTX = 64;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer("cpu", 1, 4, CTX);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static final String CHAT = "/v1/chat/completions";
    static final String TEXT = "/v1/completions";
    static final String HI = "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";

    static Stream<Arguments> cases() {
        String longPrompt = "the quick brown fox jumps over the lazy dog ".repeat(20);
        return Stream.of(
                // path, body, status, param (null = none), code (null = none)
                Arguments.of(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}", 400, null, null),
                Arguments.of(CHAT, "not json at all", 400, null, null),
                Arguments.of(CHAT, "", 400, null, null),
                Arguments.of(CHAT, "[1, 2, 3]", 400, null, null),
                Arguments.of(CHAT, "{} {}", 400, null, null),
                Arguments.of(CHAT, "{}", 400, "messages", null),
                Arguments.of(CHAT, "{\"messages\": []}", 400, "messages", null),
                Arguments.of(CHAT, "{\"messages\": \"Hi\"}", 400, "messages", null),
                Arguments.of(CHAT, "{\"messages\": [\"Hi\"]}", 400, "messages[0]", null),
                Arguments.of(CHAT, "{\"messages\": [{\"role\": \"wizard\", \"content\": \"Hi\"}]}", 400, "messages[0].role", null),
                Arguments.of(CHAT, "{\"messages\": [{\"role\": 7, \"content\": \"Hi\"}]}", 400, "messages[0].role", null),
                Arguments.of(CHAT, "{\"messages\": [{\"role\": \"user\"}]}", 400, "messages[0].content", null),
                Arguments.of(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": 42}]}", 400, "messages[0].content", null),
                Arguments.of(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", 400,
                        "messages[0].content[0]", null),
                Arguments.of(CHAT, "{" + HI + ", \"temperature\": \"hot\"}", 400, "temperature", null),
                Arguments.of(CHAT, "{" + HI + ", \"temperature\": 5}", 400, "temperature", null),
                Arguments.of(CHAT, "{" + HI + ", \"top_p\": -0.1}", 400, "top_p", null),
                Arguments.of(CHAT, "{" + HI + ", \"max_tokens\": 0}", 400, "max_tokens", null),
                Arguments.of(CHAT, "{" + HI + ", \"max_tokens\": -5}", 400, "max_tokens", null),
                Arguments.of(CHAT, "{" + HI + ", \"max_tokens\": " + (CTX + 1) + "}", 400, "max_tokens", null),
                Arguments.of(CHAT, "{" + HI + ", \"max_tokens\": 1e12}", 400, "max_tokens", null),
                Arguments.of(CHAT, "{" + HI + ", \"max_completion_tokens\": 99999999999}", 400, "max_completion_tokens", null),
                Arguments.of(CHAT, "{" + HI + ", \"max_tokens\": \"ten\"}", 400, "max_tokens", null),
                Arguments.of(CHAT, "{" + HI + ", \"n\": 2}", 400, "n", null),
                Arguments.of(CHAT, "{" + HI + ", \"stream\": \"yes\"}", 400, "stream", null),
                Arguments.of(CHAT, "{" + HI + ", \"stop\": 5}", 400, "stop", null),
                Arguments.of(CHAT, "{" + HI + ", \"stop\": [\"a\", 5]}", 400, "stop", null),
                Arguments.of(CHAT, "{" + HI + ", \"seed\": 1.5}", 400, "seed", null),
                Arguments.of(CHAT, "{" + HI + ", \"model\": 3}", 400, "model", null),
                Arguments.of(CHAT, "{" + HI + ", \"tools\": [{\"type\": \"function\"}]}", 400, "tools[0].function", null),
                Arguments.of(CHAT, "{" + HI + ", \"tools\": {}}", 400, "tools", null),
                Arguments.of(CHAT, "{" + HI + ", \"logprobs\": 3}", 400, "logprobs", null),
                Arguments.of(CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"" + longPrompt + "\"}]}", 400,
                        "messages", "context_length_exceeded"),
                Arguments.of(TEXT, "{\"prompt\": \"" + longPrompt + "\"}", 400, "prompt", "context_length_exceeded"),
                Arguments.of(TEXT, "{}", 400, "prompt", null),
                Arguments.of(TEXT, "{\"prompt\": 12}", 400, "prompt", null),
                Arguments.of(TEXT, "{\"prompt\": \"\"}", 400, "prompt", null),
                Arguments.of(TEXT, "{\"prompt\": \"x\", \"echo\": \"yes\"}", 400, "echo", null),
                Arguments.of(TEXT, "{\"prompt\": \"x\", \"max_tokens\": 0}", 400, "max_tokens", null),
                // fields the server does not implement are named, never silently dropped
                Arguments.of(CHAT, "{" + HI + ", \"audio\": {}}", 400, "audio", "unsupported_parameter"),
                Arguments.of(CHAT, "{" + HI + ", \"top_logprobs\": 3}", 400, "top_logprobs", null),
                Arguments.of(CHAT, "{" + HI + ", \"prompt\": \"x\"}", 400, "prompt", "unsupported_parameter"),
                Arguments.of(TEXT, "{\"prompt\": \"x\", \"messages\": []}", 400, "messages", "unsupported_parameter"),
                Arguments.of(TEXT, "{\"prompt\": \"x\", \"grammar\": \"root ::= x\"}", 400, "grammar", "unsupported_parameter"),
                Arguments.of(CHAT, "{" + HI + ", \"frequency_penalty\": 2.5}", 400, "frequency_penalty", null),
                Arguments.of(CHAT, "{" + HI + ", \"presence_penalty\": \"x\"}", 400, "presence_penalty", null),
                Arguments.of(CHAT, "{" + HI + ", \"logit_bias\": [1]}", 400, "logit_bias", null),
                Arguments.of(CHAT, "{" + HI + ", \"logit_bias\": {\"2048\": 1}}", 400, "logit_bias", null),
                Arguments.of(CHAT, "{" + HI + ", \"logit_bias\": {\"-1\": 1}}", 400, "logit_bias", null),
                Arguments.of(CHAT, "{" + HI + ", \"logit_bias\": {\"abc\": 1}}", 400, "logit_bias", null),
                Arguments.of(CHAT, "{" + HI + ", \"logit_bias\": {\"5\": 101}}", 400, "logit_bias", null),
                Arguments.of(CHAT, "{" + HI + ", \"logit_bias\": {\"5\": \"ban\"}}", 400, "logit_bias", null));
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("cases")
    void eachBadRequestGetsItsErrorAndTheServerKeepsServing(String path, String body, int status, String param, String code)
            throws Exception {
        HttpResponse<String> r = server.post(path, body);
        assertError(r, status, "invalid_request_error", param, code);
        assertStillServing();
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[(int) ServerConfig.DEFAULT_MAX_BODY + 4096];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        HttpResponse<String> r = server.post(CHAT, HttpRequest.BodyPublishers.ofByteArray(big));
        assertError(r, 413, "invalid_request_error", null, "request_too_large");
        assertStillServing();
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        assertError(server.get("/v1/nothing-here"), 404, "invalid_request_error", null, "not_found");
        assertError(server.get(CHAT), 405, "invalid_request_error", null, "method_not_allowed");
        assertStillServing();
    }

    static void assertError(HttpResponse<String> r, int status, String type, String param, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode root = TestServer.JSON.readTree(r.body());
        assertEquals(1, root.size(), r.body());
        JsonNode e = root.get("error");
        assertTrue(e != null && e.isObject(), r.body());
        assertEquals(4, e.size(), "message, type, param, code: " + r.body());
        assertTrue(e.get("message").isTextual() && !e.get("message").asText().isEmpty(), r.body());
        assertEquals(type, e.get("type").asText(), r.body());
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText(), r.body());
        assertEquals(code, e.get("code").isNull() ? null : e.get("code").asText(), r.body());
    }

    static void assertStillServing() throws Exception {
        assertStillServing(server);
    }

    /** {@code s} answers a health check and a good request. */
    static void assertStillServing(TestServer s) throws Exception {
        assertEquals("ok", s.health().get("status").asText());
        // seeded: an unseeded sample may end with the end-of-sentence token after one token
        HttpResponse<String> ok = s.post(CHAT, "{" + HI + ", \"max_tokens\": 2, \"seed\": 1}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(2, TestServer.JSON.readTree(ok.body()).at("/usage/completion_tokens").asInt());
    }
}
