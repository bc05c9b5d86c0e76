package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.net.http.HttpResponse;
import java.util.List;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code response_format} through the HTTP API on the tiny random model: under the constraint its
 * gibberish becomes JSON that a strict parser reads and an independent JSON Schema validator
 * (networknt) accepts; without it, the same request is not JSON.
 */
class StructuredOutputTest {
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 10},"
            + " \"age\": {\"type\": \"integer\"}, \"colours\": {\"type\": \"array\", \"items\": {\"enum\": [\"red\", \"green\", \"blue\"]},"
            + " \"maxItems\": 3}, \"verified\": {\"type\": \"boolean\"}}, \"required\": [\"name\", \"age\", \"colours\", \"verified\"],"
            + " \"additionalProperties\": false}";
    static TestServer tiny;

    @BeforeAll
    static void start() {
        tiny = new TestServer("cpu", 1, 4, 1024);
    }

    @AfterAll
    static void stop() {
        if (tiny != null) {
            tiny.close();
        }
    }

    static String request(String format, long seed, String extra) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"Describe a person as JSON.\"}], \"temperature\": 1.0,"
                + " \"seed\": " + seed + ", \"max_tokens\": 400" + (format == null ? "" : ", \"response_format\": " + format) + extra + "}";
    }

    static JsonNode answer(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return STRICT.readTree(r.body()).at("/choices/0");
    }

    static boolean isJson(String text) {
        try {
            STRICT.readTree(text);
            return !text.isBlank();
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void jsonSchemaAnswersValidateAgainstTheSchema() throws Exception {
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA);
        String format = "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"person\", \"strict\": true, \"schema\": " + SCHEMA + "}}";
        for (long seed = 1; seed <= 4; seed++) {
            JsonNode choice = answer(tiny.post("/v1/chat/completions", request(format, seed, "")));
            String content = choice.at("/message/content").asText();
            assertEquals("stop", choice.get("finish_reason").asText(), "seed " + seed + ": " + content);
            JsonNode value = STRICT.readTree(content);
            assertEquals(List.of(), validator.validate(value), "seed " + seed + ": " + content);
        }
        // the same requests without the constraint: the random model writes no JSON
        for (long seed = 1; seed <= 4; seed++) {
            String free = answer(tiny.post("/v1/chat/completions", request(null, seed, ""))).at("/message/content").asText();
            assertFalse(isJson(free), "seed " + seed + " unconstrained: " + free);
        }
    }

    @Test
    void jsonObjectAnswersAreObjectsStreamedOrNot() throws Exception {
        // favour closing tokens so that the random model finishes its strings within the limit
        String bias = ", \"logit_bias\": {\"" + TestModels.tokenizer().tokenId("\"") + "\": 3, \""
                + TestModels.tokenizer().tokenId("}") + "\": 3}";
        String format = "{\"type\": \"json_object\"}";
        JsonNode choice = answer(tiny.post("/v1/chat/completions", request(format, 3, bias)));
        String content = choice.at("/message/content").asText();
        assertEquals("stop", choice.get("finish_reason").asText(), content);
        assertTrue(STRICT.readTree(content).isObject(), content);

        String stream = tiny.post("/v1/chat/completions", request(format, 3, bias + ", \"stream\": true")).body();
        StringBuilder streamed = new StringBuilder();
        for (String line : stream.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode chunk = STRICT.readTree(line.substring(6));
                JsonNode c = chunk.at("/choices/0/delta/content");
                if (c.isTextual()) {
                    streamed.append(c.asText());
                }
            }
        }
        assertEquals(content, streamed.toString(), "the stream is the same answer");
    }

    static final String PARAMS = "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"maxLength\": 12},"
            + " \"unit\": {\"enum\": [\"C\", \"F\"]}, \"days\": {\"type\": \"integer\"}}, \"required\": [\"city\", \"unit\"],"
            + " \"additionalProperties\": false}";

    static String strictTool(String params) {
        return "{\"type\": \"function\", \"function\": {\"name\": \"forecast\", \"strict\": true, \"parameters\": " + params + "}}";
    }

    @Test
    void aForcedCallsArgumentsFollowTheFunctionsParameters() throws Exception {
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(PARAMS);
        for (String choice : List.of("\"required\"", "{\"type\": \"function\", \"function\": {\"name\": \"forecast\"}}")) {
            for (long seed = 1; seed <= 3; seed++) {
                JsonNode c = answer(tiny.post("/v1/chat/completions", request(null, seed,
                        ", \"tools\": [" + strictTool(PARAMS) + "], \"tool_choice\": " + choice)));
                assertEquals("tool_calls", c.get("finish_reason").asText(), c.toString());
                JsonNode call = c.at("/message/tool_calls/0/function");
                assertEquals("forecast", call.get("name").asText());
                JsonNode args = STRICT.readTree(call.get("arguments").asText());
                assertEquals(List.of(), validator.validate(args), choice + " seed " + seed + ": " + call);
            }
        }
    }

    @Test
    void schemasAndCombinationsTheServerCannotEnforceAreA400() throws Exception {
        assertError(tiny.post("/v1/chat/completions", request("{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\":"
                + " {\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"#/$defs/a\"}}}}}", 1, "")),
                "response_format.json_schema.schema.properties.a.$ref", "not supported");
        assertError(tiny.post("/v1/chat/completions", request("{\"type\": \"json_schema\", \"json_schema\": {\"schema\": {}}}", 1, "")),
                "response_format.json_schema.name", "name");
        assertError(tiny.post("/v1/chat/completions", request("{\"type\": \"yaml\"}", 1, "")), "response_format.type", "yaml");
        assertError(tiny.post("/v1/chat/completions", request("{\"type\": \"json_object\"}", 1,
                ", \"tools\": [" + ToolCallsTest.WEATHER_TOOL + "]")), "response_format", "tools");
        assertError(tiny.post("/v1/chat/completions", request(null, 1, ", \"tools\": [" + strictTool(PARAMS) + "]")),
                "tool_choice", "strict");
        assertError(tiny.post("/v1/chat/completions", request(null, 1, ", \"tools\": [" + strictTool("{\"type\": \"object\","
                + " \"properties\": {\"a\": {\"type\": \"string\", \"pattern\": \"^x\"}}}") + "], \"tool_choice\": \"required\"")),
                "tools[0].function.parameters.properties.a.pattern", "not supported");
        assertEquals(200, tiny.post("/v1/chat/completions", request("{\"type\": \"text\"}", 1, "")).statusCode());
    }

    static void assertError(HttpResponse<String> r, String param, String messagePart) throws Exception {
        ToolCallsTest.assertError(r, param, messagePart);
    }
}
