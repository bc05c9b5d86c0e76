package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.load.LoadedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/completions} with OpenAI's prompt shapes (strings, token ids, arrays of them) and {@code echo}, on the tiny model. */
class CompletionPromptsTest {
    static final int CTX = 128;
    static TestServer tiny;

    @BeforeAll
    static void start() {
        tiny = new TestServer("cpu", 1, 8, CTX);
    }

    @AfterAll
    static void stop() {
        if (tiny != null) {
            tiny.close();
        }
    }

    static JsonNode complete(String prompt, String extra) throws Exception {
        HttpResponse<String> r = tiny.post("/v1/completions", "{\"prompt\": " + prompt + ", \"temperature\": 0,"
                + " \"max_tokens\": 3" + extra + "}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body());
    }

    static String text(String prompt) throws Exception {
        JsonNode c = complete(prompt, "");
        assertEquals(1, c.get("choices").size());
        return c.at("/choices/0/text").asText();
    }

    static String ids(String text, boolean bos) throws Exception {
        HttpResponse<String> r = tiny.post("/tokenize", "{\"content\": \"" + text + "\", \"add_special\": " + bos + "}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body()).get("tokens").toString();
    }

    @Test
    void anArrayOfPromptsGivesOneChoiceEachInOrder() throws Exception {
        String a = text("\"Once upon a time\"");
        String b = text("\"The sky is\"");
        JsonNode c = complete("[\"Once upon a time\", \"The sky is\"]", "");
        assertEquals(2, c.get("choices").size());
        assertEquals(0, c.at("/choices/0/index").asInt());
        assertEquals(a, c.at("/choices/0/text").asText());
        assertEquals(1, c.at("/choices/1/index").asInt());
        assertEquals(b, c.at("/choices/1/text").asText());
        assertEquals(6, c.at("/usage/completion_tokens").asInt(), "usage counts both choices");
    }

    @Test
    void tokenIdsAreThePromptAsTheyAre() throws Exception {
        String withBos = ids("Once upon a time", true);
        assertEquals(text("\"Once upon a time\""), text(withBos), "the string prompt is tokenized with the BOS");
        JsonNode c = complete("[" + withBos + ", " + ids("The sky is", true) + "]", "");
        assertEquals(2, c.get("choices").size());
        assertEquals(text("\"The sky is\""), c.at("/choices/1/text").asText());
        assertEquals(withBos.split(",").length + ids("The sky is", true).split(",").length,
                c.at("/usage/prompt_tokens").asInt());
    }

    /**
     * Echo puts the prompt first; with logprobs the prompt's tokens are listed too, their values
     * checked against a softmax of the engine's logits of every prompt position.
     */
    @Test
    void echoWithLogprobsListsThePromptTokens() throws Exception {
        String prompt = "Once upon a time";
        String generated = text("\"" + prompt + "\"");
        JsonNode c = complete("\"" + prompt + "\"", ", \"echo\": true, \"logprobs\": 1");
        assertEquals(prompt + generated, c.at("/choices/0/text").asText());
        JsonNode lp = c.at("/choices/0/logprobs");
        LoadedModel model = TestServer.model("cpu");
        int[] tokens = model.rawPrompts().raw(prompt).tokens();
        assertEquals(model.tokenizer().bosId(), tokens[0], "the tiny model wants a BOS");
        // the BOS the server added is not echoed: the listed tokens are the text's, each given what comes before
        int listed = tokens.length - 1;
        assertEquals(listed + 3, lp.get("tokens").size(), lp.toString());
        StringBuilder joined = new StringBuilder();
        lp.get("tokens").forEach(t -> joined.append(t.asText()));
        assertEquals(prompt + generated, joined.toString());
        try (CachedSession s = model.newSession(new SessionOptions(KvCacheType.F16, CTX))) {
            float[] all = s.forwardAll(tokens);
            int vocab = all.length / tokens.length;
            for (int i = 0; i < listed; i++) {
                float[] row = java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
                double expected = LogprobsTest.logSoftmax(row)[tokens[i + 1]];
                assertEquals(expected, lp.get("token_logprobs").get(i).asDouble(), 1e-3, "prompt token " + (i + 1));
                assertEquals(1, lp.get("top_logprobs").get(i).size());
            }
        }
        assertEquals(0, lp.at("/text_offset/0").asInt());
        assertEquals(prompt.length(), lp.get("text_offset").get(listed).asInt(), "the first generated token follows the echo");

        // token ids without a BOS: the first token has nothing before it, so no log-probability
        JsonNode bare = complete(ids(prompt, false), ", \"echo\": true, \"logprobs\": 0").at("/choices/0/logprobs");
        assertTrue(bare.at("/token_logprobs/0").isNull(), bare.toString());
        assertTrue(bare.at("/top_logprobs/0").isNull());
        assertTrue(bare.at("/token_logprobs/1").asDouble() <= 0);
    }

    /** A prompt longer than one step of prompt logits (64 tokens): the rows on both sides of the step's edge. */
    @Test
    void promptLogprobsAcrossSeveralForwardSteps() throws Exception {
        int[] ids = new int[90];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 100 + 7 * i;
        }
        JsonNode lp = complete(java.util.Arrays.toString(ids), ", \"echo\": true, \"logprobs\": 0, \"max_tokens\": 1")
                .at("/choices/0/logprobs/token_logprobs");
        assertEquals(ids.length + 1, lp.size());
        assertTrue(lp.get(0).isNull());
        LoadedModel model = TestServer.model("cpu");
        try (CachedSession s = model.newSession(new SessionOptions(KvCacheType.F16, CTX))) {
            float[] all = s.forwardAll(ids);
            int vocab = all.length / ids.length;
            for (int i = 1; i < ids.length; i++) {
                float[] row = java.util.Arrays.copyOfRange(all, (i - 1) * vocab, i * vocab);
                assertEquals(LogprobsTest.logSoftmax(row)[ids[i]], lp.get(i).asDouble(), 1e-3, "prompt token " + i);
            }
        }
    }

    @Test
    void streamedChoicesComeOneAfterTheOtherWithTheEcho() throws Exception {
        JsonNode whole = complete("[\"Once upon a time\", \"The sky is\"]", ", \"echo\": true");
        HttpResponse<String> r = tiny.post("/v1/completions", "{\"prompt\": [\"Once upon a time\", \"The sky is\"],"
                + " \"temperature\": 0, \"max_tokens\": 3, \"echo\": true, \"stream\": true}");
        Map<Integer, StringBuilder> texts = new TreeMap<>();
        List<Integer> order = new ArrayList<>();
        List<String> finishes = new ArrayList<>();
        for (JsonNode chunk : LogprobsTest.events(r)) {
            JsonNode choice = chunk.at("/choices/0");
            int index = choice.get("index").asInt();
            if (order.isEmpty() || order.getLast() != index) {
                order.add(index);
            }
            texts.computeIfAbsent(index, k -> new StringBuilder()).append(choice.get("text").asText());
            if (!choice.get("finish_reason").isNull()) {
                finishes.add(index + ":" + choice.get("finish_reason").asText());
            }
        }
        assertEquals(List.of(0, 1), order);
        assertEquals(List.of("0:length", "1:length"), finishes);
        assertEquals(whole.at("/choices/0/text").asText(), texts.get(0).toString());
        assertEquals(whole.at("/choices/1/text").asText(), texts.get(1).toString());
        assertTrue(texts.get(1).toString().startsWith("The sky is"));
    }

    @Test
    void badPromptShapesAreRefusedNamingThePrompt() throws Exception {
        for (String bad : List.of("[]", "[1, \"a\"]", "[\"a\", 1]", "[[\"a\"]]", "[[1], [-1]]", "[[1], \"a\"]",
                "{\"a\": 1}", "[[]]", "[2048]", "[1.5]", "[\"a\", \"\"]", "true")) {
            HttpResponse<String> r = tiny.post("/v1/completions", "{\"prompt\": " + bad + "}");
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertEquals("prompt", TestServer.JSON.readTree(r.body()).at("/error/param").asText(), bad);
        }
        HttpResponse<String> r = tiny.post("/v1/completions", "{\"prompt\": [[1, 2], [3, 99999]]}");
        assertTrue(r.body().contains("prompt[1][1]"), r.body());
    }
}
