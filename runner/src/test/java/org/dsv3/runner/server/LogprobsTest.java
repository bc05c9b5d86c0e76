package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.load.LoadedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code logprobs} through HTTP on the tiny model: the values are the model's own distribution,
 * checked against a softmax computed here from logits the engine gives for the same tokens.
 */
class LogprobsTest {
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

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body());
    }

    /** ln softmax of a row, computed in double from scratch. */
    static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (float v : row) {
            z += Math.exp(v - max);
        }
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = row[i] - max - Math.log(z);
        }
        return out;
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    @Test
    void completionLogprobsAreTheSoftmaxOfTheEnginesLogits() throws Exception {
        String prompt = "Once upon a time";
        JsonNode c = ok(tiny.post("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"temperature\": 0,"
                + " \"max_tokens\": 3, \"logprobs\": 4}"));
        JsonNode lp = c.at("/choices/0/logprobs");
        assertEquals(3, lp.get("tokens").size(), lp.toString());
        LoadedModel model = TestServer.model("cpu");
        int[] tokens = model.rawPrompts().raw(prompt).tokens();
        StringBuilder text = new StringBuilder();
        try (CachedSession s = model.newSession(new SessionOptions(KvCacheType.F16, CTX))) {
            float[] logits = s.forward(tokens);
            for (int i = 0; i < 3; i++) {
                double[] expected = logSoftmax(logits);
                int greedy = argmax(expected);
                String piece = new String(model.tokenizer().tokenPiece(greedy), StandardCharsets.UTF_8);
                assertEquals(piece, lp.get("tokens").get(i).asText());
                assertEquals(expected[greedy], lp.get("token_logprobs").get(i).asDouble(), 1e-3, "token " + i);
                assertEquals(text.length(), lp.get("text_offset").get(i).asInt());
                text.append(piece);
                JsonNode top = lp.get("top_logprobs").get(i);
                assertEquals(4, top.size(), top.toString());
                double sum = 0;
                double previous = 0;
                for (var e : (Iterable<java.util.Map.Entry<String, JsonNode>>) top::fields) {
                    double v = e.getValue().asDouble();
                    assertTrue(v <= previous + 1e-12, "best first: " + top);
                    previous = v;
                    sum += Math.exp(v);
                    int id = model.tokenizer().encode(e.getKey(), false, false)[0];
                    assertEquals(expected[id], v, 1e-3, "alternative '" + e.getKey() + "'");
                }
                assertTrue(sum <= 1 + 1e-9, "probabilities sum to at most 1: " + sum);
                logits = s.forward(new int[] {greedy});
            }
        }
        assertEquals(text.toString(), c.at("/choices/0/text").asText());
    }

    @Test
    void chatLogprobsThroughTheOpenAiSdk() {
        ChatCompletion c = tiny.openAi().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("tiny").addUserMessage("Name three colours.").maxCompletionTokens(5).temperature(0.0)
                .logprobs(true).topLogprobs(3).build());
        c.validate();
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(5, content.size());
        StringBuilder bytes = new StringBuilder();
        for (ChatCompletionTokenLogprob t : content) {
            assertTrue(t.logprob() <= 0, "log-probabilities are <= 0: " + t.logprob());
            assertEquals(3, t.topLogprobs().size());
            // greedy: the chosen token is the most likely one
            assertEquals(t.token(), t.topLogprobs().getFirst().token());
            assertEquals(t.logprob(), t.topLogprobs().getFirst().logprob(), 0.0);
            double sum = t.topLogprobs().stream().mapToDouble(a -> Math.exp(a.logprob())).sum();
            assertTrue(sum <= 1 + 1e-9, "sum " + sum);
            byte[] b = new byte[t.bytes().orElseThrow().size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = t.bytes().orElseThrow().get(i).byteValue();
            }
            bytes.append(new String(b, StandardCharsets.ISO_8859_1));
        }
        String answer = c.choices().getFirst().message().content().orElseThrow();
        assertEquals(answer, new String(bytes.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
                "the tokens' bytes make up the answer");
    }

    /** The streamed chunks' entries, in order, are those of the whole answer. */
    @Test
    void streamedLogprobsMatchTheWholeAnswer() throws Exception {
        String chat = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"temperature\": 0, \"max_tokens\": 6,"
                + " \"logprobs\": true, \"top_logprobs\": 2";
        JsonNode whole = ok(tiny.post("/v1/chat/completions", chat + "}")).at("/choices/0/logprobs/content");
        List<JsonNode> streamed = new ArrayList<>();
        for (JsonNode chunk : events(tiny.post("/v1/chat/completions", chat + ", \"stream\": true}"))) {
            JsonNode lp = chunk.at("/choices/0/logprobs");
            if (!lp.isMissingNode() && !lp.isNull()) {
                lp.get("content").forEach(streamed::add);
            }
        }
        assertEquals(whole.size(), streamed.size());
        // the same tokens; the values agree to float rounding (two runs may split the threads' sums differently)
        for (int i = 0; i < streamed.size(); i++) {
            assertEquals(whole.get(i).get("token"), streamed.get(i).get("token"));
            assertEquals(whole.get(i).get("bytes"), streamed.get(i).get("bytes"));
            assertEquals(whole.get(i).get("logprob").asDouble(), streamed.get(i).get("logprob").asDouble(), 1e-3);
            assertEquals(whole.get(i).at("/top_logprobs/1/token"), streamed.get(i).at("/top_logprobs/1/token"));
        }

        String completion = "{\"prompt\": \"Hello\", \"temperature\": 0, \"max_tokens\": 5, \"logprobs\": 1";
        JsonNode all = ok(tiny.post("/v1/completions", completion + "}")).at("/choices/0/logprobs");
        List<String> tokens = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (JsonNode chunk : events(tiny.post("/v1/completions", completion + ", \"stream\": true}"))) {
            JsonNode lp = chunk.at("/choices/0/logprobs");
            if (!lp.isMissingNode() && !lp.isNull()) {
                lp.get("tokens").forEach(t -> tokens.add(t.asText()));
                lp.get("token_logprobs").forEach(t -> values.add(t.asDouble()));
            }
        }
        List<String> wholeTokens = new ArrayList<>();
        all.get("tokens").forEach(t -> wholeTokens.add(t.asText()));
        assertEquals(wholeTokens, tokens);
        for (int i = 0; i < values.size(); i++) {
            assertEquals(all.get("token_logprobs").get(i).asDouble(), values.get(i), 1e-3);
        }
    }

    static List<JsonNode> events(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(TestServer.JSON.readTree(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    void badLogprobFieldsAreRefusedByName() throws Exception {
        String msgs = "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";
        assertRefused("/v1/chat/completions", "{" + msgs + ", \"logprobs\": true, \"top_logprobs\": 21}", "top_logprobs");
        assertRefused("/v1/chat/completions", "{" + msgs + ", \"top_logprobs\": 2}", "top_logprobs");
        assertRefused("/v1/chat/completions", "{" + msgs + ", \"logprobs\": 3}", "logprobs");
        assertRefused("/v1/completions", "{\"prompt\": \"a\", \"logprobs\": true}", "logprobs");
        assertRefused("/v1/completions", "{\"prompt\": \"a\", \"logprobs\": -1}", "logprobs");
    }

    static void assertRefused(String path, String body, String param) throws Exception {
        HttpResponse<String> r = tiny.post(path, body);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(param, TestServer.JSON.readTree(r.body()).at("/error/param").asText(), r.body());
    }
}
