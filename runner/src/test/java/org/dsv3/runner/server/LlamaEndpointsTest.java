package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.dsv3.model.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * llama-server's extra endpoints over raw HTTP. Token ids are checked against the reference cases
 * of the tiny model (ids from Hugging Face's tokenizer for the same text).
 */
class LlamaEndpointsTest {
    static final int CTX = 96;
    static TestServer server;
    static JsonNode cases;

    @BeforeAll
    static void start() throws Exception {
        cases = TestServer.JSON.readTree(Files.readString(TestData.require("reference/tiny-v3.cases.json"))).get("cases");
        server = new TestServer("cpu", 2, 4, CTX);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body());
    }

    static String body(Object... kv) {
        ObjectNode o = TestServer.JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            o.set((String) kv[i], TestServer.JSON.valueToTree(kv[i + 1]));
        }
        return o.toString();
    }

    @Test
    void tokenizeMatchesTheReferenceIds() throws Exception {
        JsonNode text = cases.get(3); // plain text, BOS first; the reference keeps the first 160 tokens
        JsonNode got = ok(server.post("/tokenize", body("content", text.get("prompt").asText(), "add_special", true)))
                .get("tokens");
        JsonNode ref = text.get("tokens");
        assertTrue(got.size() > ref.size(), got.toString());
        for (int i = 0; i < ref.size(); i++) {
            assertEquals(ref.get(i).asInt(), got.get(i).asInt(), "token " + i);
        }
        JsonNode chat = cases.get(0); // special tokens written as text are parsed by default
        assertEquals(chat.get("tokens"), ok(server.post("/tokenize", body("content", chat.get("prompt").asText())))
                .get("tokens"));
        JsonNode plain = ok(server.post("/tokenize", body("content", "Hi", "parse_special", false, "add_special", false)));
        assertTrue(plain.get("tokens").size() >= 1 && plain.get("tokens").get(0).asInt() != 0, plain.toString());
    }

    @Test
    void detokenizeGivesTheReferenceTextBack() throws Exception {
        JsonNode text = cases.get(3);
        ArrayNode ids = text.get("tokens").deepCopy();
        ids.remove(0); // BOS
        String got = ok(server.post("/detokenize", "{\"tokens\": " + ids + "}")).get("content").asText();
        String prompt = text.get("prompt").asText();
        assertTrue(got.length() > 300 && prompt.startsWith(got), got); // the reference ids cover a prefix
        JsonNode all = ok(server.post("/tokenize", body("content", prompt))).get("tokens");
        assertEquals(prompt, ok(server.post("/detokenize", "{\"tokens\": " + all + "}")).get("content").asText());
    }

    @Test
    void badTokenRequestsAreNamed() throws Exception {
        BadRequestTest.assertError(server.post("/detokenize", "{\"tokens\": [1, 2048]}"), 400, "invalid_request_error",
                "tokens[1]", null);
        BadRequestTest.assertError(server.post("/detokenize", "{\"tokens\": [-1]}"), 400, "invalid_request_error",
                "tokens[0]", null);
        BadRequestTest.assertError(server.post("/detokenize", "{\"tokens\": [1.5]}"), 400, "invalid_request_error",
                "tokens[0]", null);
        BadRequestTest.assertError(server.post("/detokenize", "{\"tokens\": \"12\"}"), 400, "invalid_request_error",
                "tokens", null);
        BadRequestTest.assertError(server.post("/tokenize", "{\"content\": 5}"), 400, "invalid_request_error",
                "content", null);
        BadRequestTest.assertError(server.post("/tokenize", "{\"content\": \"x\", \"with_pieces\": true}"), 400,
                "invalid_request_error", "with_pieces", "unsupported_parameter");
        BadRequestTest.assertStillServing(server);
    }

    @Test
    void propsDescribeTheServer() throws Exception {
        JsonNode p = ok(server.get("/props"));
        assertTrue(p.get("model_path").asText().endsWith("tiny-v3.q4_k_m.gguf"), p.toString());
        assertEquals("tiny", p.get("model_alias").asText());
        assertEquals(CTX, p.get("n_ctx").asInt());
        assertEquals(2, p.get("total_slots").asInt());
        assertTrue(p.get("chat_template").asText().contains("chat_template"), p.toString());
    }

    @Test
    void modelById() throws Exception {
        JsonNode m = ok(server.get("/v1/models/tiny"));
        assertEquals("tiny", m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        BadRequestTest.assertError(server.get("/v1/models/gpt-4"), 404, "invalid_request_error", "model",
                "model_not_found");
    }

    /** Two requests of known usage, then the counters and the slot states must add up to them. */
    @Test
    void metricsAndSlotsCountWhatWasServed() throws Exception {
        Map<String, Long> before = metrics();
        long prompt = 0;
        long generated = 0;
        for (String p : new String[] {"Once upon a time", "The sky is"}) {
            JsonNode r = ok(server.post("/v1/completions", body("prompt", p, "max_tokens", 3, "temperature", 0)));
            prompt += r.at("/usage/prompt_tokens").asLong();
            generated += r.at("/usage/completion_tokens").asLong();
        }
        Map<String, Long> after = metrics();
        assertEquals(prompt, after.get("dsv3_prompt_tokens_total") - before.get("dsv3_prompt_tokens_total"));
        assertEquals(generated, after.get("dsv3_tokens_predicted_total") - before.get("dsv3_tokens_predicted_total"));
        assertEquals(2, after.get("dsv3_requests_processed_total") - before.get("dsv3_requests_processed_total"));
        assertEquals(2, after.get("dsv3_slots_idle"));
        assertEquals(0, after.get("dsv3_slots_busy"));
        assertEquals(0, after.get("dsv3_requests_processing"));
        assertEquals(0, after.get("dsv3_requests_queued"));

        JsonNode slots = ok(server.get("/slots"));
        assertEquals(2, slots.size());
        long served = 0;
        for (int i = 0; i < 2; i++) {
            assertEquals(i, slots.get(i).get("id").asInt());
            assertEquals(CTX, slots.get(i).get("n_ctx").asInt());
            assertFalse(slots.get(i).get("is_processing").asBoolean());
            served += slots.get(i).get("requests_processed").asLong();
        }
        assertEquals(after.get("dsv3_requests_processed_total"), served);
    }

    /** Parses the Prometheus text: every sample has its HELP and TYPE lines first. */
    static Map<String, Long> metrics() throws Exception {
        HttpResponse<String> r = server.get("/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        Map<String, Long> out = new HashMap<>();
        String[] lines = r.body().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("#")) {
                continue;
            }
            String[] sample = lines[i].split(" ");
            assertEquals(2, sample.length, lines[i]);
            assertEquals("# HELP " + sample[0], lines[i - 2].substring(0, ("# HELP " + sample[0]).length()));
            assertTrue(lines[i - 1].matches("# TYPE " + sample[0] + " (counter|gauge)"), lines[i - 1]);
            out.put(sample[0], Long.parseLong(sample[1]));
        }
        assertEquals(7, out.size(), r.body());
        return out;
    }
}
