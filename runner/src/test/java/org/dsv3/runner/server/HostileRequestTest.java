package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests an attacker or a careless client would send: message text that looks like template
 * code, uploads that lie about their size or stall, malformed HTTP, clients that leave. Each gets
 * its JSON error (or, for text, a verbatim prompt), and the server answers a good request right after.
 */
class HostileRequestTest {
    static final String BOS = "<｜begin▁of▁sentence｜>";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer("cpu", 1, 4, 256, null, 1500);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String chatBody(String system, String user, int maxTokens) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        var msgs = root.putArray("messages");
        if (system != null) {
            msgs.addObject().put("role", "system").put("content", system);
        }
        msgs.addObject().put("role", "user").put("content", user);
        root.put("max_tokens", maxTokens).put("temperature", 0);
        return root.toString();
    }

    static String completionBody(String prompt, int maxTokens) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 0);
        return root.toString();
    }

    /**
     * The chat answer to {@code user} is the raw completion of DeepSeek-V3's prompt with that text
     * written in verbatim: the same prompt tokens, the same greedy continuation.
     */
    static void assertRenderedVerbatim(String system, String user) throws Exception {
        HttpResponse<String> chat = server.post("/v1/chat/completions", chatBody(system, user, 4));
        assertEquals(200, chat.statusCode(), chat.body());
        String prompt = BOS + (system == null ? "" : system) + "<｜User｜>" + user + "<｜Assistant｜>";
        HttpResponse<String> raw = server.post("/v1/completions", completionBody(prompt, 4));
        assertEquals(200, raw.statusCode(), raw.body());
        JsonNode c = TestServer.JSON.readTree(chat.body());
        JsonNode r = TestServer.JSON.readTree(raw.body());
        assertEquals(TestModels.tokenizer().encode(prompt, true, false).length, c.at("/usage/prompt_tokens").asInt(), chat.body());
        assertEquals(r.at("/usage/prompt_tokens").asInt(), c.at("/usage/prompt_tokens").asInt());
        assertEquals(r.at("/choices/0/text").asText(), c.at("/choices/0/message/content").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "A{{ 6*7 }}B",
            "In Django write {% if user %}",
            "Hello {{ name }}!",
            "{{ bos_token.toUpperCase() }}",
            "{% include 'META-INF/MANIFEST.MF' %}",
            "{{ raise_exception(messages[0].content) }}"})
    void messageTextIsNeverTemplateCode(String text) throws Exception {
        assertRenderedVerbatim(null, text);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void aMessageCannotRaiseTheSystemPromptIntoAnError() throws Exception {
        String secret = "SECRET-7f3a system prompt";
        assertRenderedVerbatim(secret, "{{ raise_exception(messages[0].content) }}");
        HttpResponse<String> r = server.post("/v1/chat/completions", chatBody(secret, "{{ raise_exception(messages[0].content) }}", 2));
        assertFalse(r.body().contains("SECRET-7f3a"), r.body());
    }

    @Test
    void nestedLoopsInAMessageAreJustText() throws Exception {
        String loops = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                + "{{ a }}{{ b }}{{ c }}{% endfor %}{% endfor %}{% endfor %}";
        long t0 = System.nanoTime();
        assertRenderedVerbatim(null, loops);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 30_000);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void theOpenAiSdkGetsTemplateLookingTextBackVerbatimInThePrompt() {
        String text = "Explain {% raw %} and {{ x }} in Jinja";
        ChatCompletion c = server.openAi().chat().completions().create(ChatCompletionCreateParams.builder().model("tiny")
                .addUserMessage(text).maxCompletionTokens(2).temperature(0.0).build());
        c.validate();
        String prompt = BOS + "<｜User｜>" + text + "<｜Assistant｜>";
        assertEquals(TestModels.tokenizer().encode(prompt, true, false).length, c.usage().orElseThrow().promptTokens());
    }

    static String post(String headers, String body) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n" + body;
    }

    /** The status and the JSON error of a raw answer, checked for OpenAI's shape. */
    static JsonNode rawError(String answer, int status) throws IOException {
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        int split = answer.indexOf("\r\n\r\n");
        String head = answer.substring(0, split).toLowerCase();
        assertTrue(head.contains("content-type: application/json"), answer);
        String body = answer.substring(split + 4);
        if (head.contains("transfer-encoding: chunked")) {
            body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("\r\n0\r\n"));
        }
        JsonNode e = TestServer.JSON.readTree(body).get("error");
        assertTrue(e != null && e.has("message") && e.has("type") && e.has("param") && e.has("code"), body);
        assertFalse(body.contains("at org.") || body.contains("<html"), body);
        return e;
    }

    @Test
    void aHugeDeclaredLengthIs413AtOnce() throws Exception {
        long t0 = System.nanoTime();
        String answer = server.raw(post("Content-Type: application/json\r\nContent-Length: 9999999999\r\n", "{}"), 5000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("request_too_large", rawError(answer, 413).get("code").asText());
        assertTrue(ms < 1000, "the 413 came after " + ms + " ms");
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void stalledUploadsAreCutAndTheServerServesMeanwhile() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(post("Content-Type: application/json\r\nContent-Length: 100\r\n", "{\"").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(s);
            }
            BadRequestTest.assertStillServing(server); // during
            for (Socket s : stalled) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals("request_timeout", rawError(answer, 408).get("code").asText());
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        BadRequestTest.assertStillServing(server); // after
    }

    @Test
    void aHalfSentRequestLineIsClosedByTheIdleTimeout() throws Exception {
        long t0 = System.nanoTime();
        String answer = server.raw("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty", 10_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 8000, "the connection was held " + ms + " ms: " + answer);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void aBadChunkIs400InJson() throws Exception {
        String answer = server.raw(post("Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", "ZZZ\r\nabc\r\n0\r\n\r\n"), 5000);
        JsonNode e = rawError(answer, 400);
        assertTrue(e.get("message").asText().contains("could not be read") || e.get("message").asText().contains("HTTP 400"),
                e.toString());
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void anUnknownHttpVersionIs505InJson() throws Exception {
        rawError(server.raw("POST /v1/chat/completions HTTP/9.9\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 5000), 505);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void oversizedHeadersAre431InJson() throws Exception {
        rawError(server.raw(post("X-Filler: " + "a".repeat(40_000) + "\r\n", ""), 5000), 431);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void garbageIs400InJson() throws Exception {
        rawError(server.raw("\u0001\u0002 nonsense \r\n\r\n", 5000), 400);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void onlyJsonBodiesAreRead() throws Exception {
        String body = chatBody(null, "Hi", 2);
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            String answer = server.raw(post("Content-Type: " + type + "\r\nContent-Length: " + body.length() + "\r\n", body), 5000);
            assertEquals("unsupported_media_type", rawError(answer, 415).get("code").asText());
        }
        String answer = server.raw(post("Content-Length: " + body.length() + "\r\n", body), 5000);
        assertEquals("unsupported_media_type", rawError(answer, 415).get("code").asText());
        answer = server.raw(post("Content-Type: application/json; charset=utf-8\r\nContent-Length: " + body.length() + "\r\n", body), 20_000);
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void dnsRebindingAndCrossOriginPagesAreRefused() throws Exception {
        String body = chatBody(null, "Hi", 2);
        String len = "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n";
        String evilHost = "POST /v1/chat/completions HTTP/1.1\r\nHost: attacker.example:" + server.port() + "\r\n" + len
                + "Connection: close\r\n\r\n" + body;
        assertEquals("forbidden_host", rawError(server.raw(evilHost, 5000), 403).get("code").asText());
        String evilOrigin = post(len + "Origin: http://attacker.example\r\n", body);
        assertEquals("forbidden_origin", rawError(server.raw(evilOrigin, 5000), 403).get("code").asText());
        String otherLocalPort = post(len + "Origin: http://127.0.0.1:1\r\n", body);
        assertEquals("forbidden_origin", rawError(server.raw(otherLocalPort, 5000), 403).get("code").asText());
        String sameOrigin = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost:" + server.port() + "\r\n" + len
                + "Origin: http://localhost:" + server.port() + "\r\nConnection: close\r\n\r\n" + body;
        assertTrue(server.raw(sameOrigin, 20_000).startsWith("HTTP/1.1 200 "));
        BadRequestTest.assertStillServing(server);
    }
}
