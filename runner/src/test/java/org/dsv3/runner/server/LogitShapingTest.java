package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/** {@code logit_bias}, {@code presence_penalty} and {@code frequency_penalty} change what is generated. */
class LogitShapingTest {
    static final Tokenizer TOK = TestModels.tokenizer();

    static int single(String text) {
        int[] ids = TOK.encode(text, false, false);
        assertEquals(1, ids.length, "'" + text + "' is one token");
        return ids[0];
    }

    static String complete(TestServer s, String extra, int max) throws Exception {
        HttpResponse<String> r = s.post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"temperature\": 0, "
                + "\"max_tokens\": " + max + extra + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode c = TestServer.JSON.readTree(r.body());
        return c.at("/choices/0/text").asText();
    }

    @Test
    void banningTheGreedyTokenChangesTheOutputAndPlusHundredForcesOne() throws Exception {
        try (TestServer s = new TestServer("cpu", 1, 4, 128)) {
            String first = complete(s, "", 1);
            int greedy = single(first);
            String banned = complete(s, ", \"logit_bias\": {\"" + greedy + "\": -100}", 1);
            assertNotEquals(first, banned, "token " + greedy + " is banned");
            int forced = single("b");
            assertNotEquals(greedy, forced);
            assertEquals(TOK.decode(new int[] {forced, forced, forced}),
                    complete(s, ", \"logit_bias\": {\"" + forced + "\": 100}", 3));
        }
    }

    /**
     * The scripted device puts 50 on the next script token (always "a") and 0 elsewhere; a bias of
     * 49 puts "b" just below it. The greedy sequence then follows from the penalties by hand:
     * none: a a a a; presence 2: a (48 vs 49) b, then a a (48 vs 47); frequency 2: a b a b.
     */
    @Test
    void presenceAndFrequencyPenaltiesSubtractAsOpenAiDocuments() throws Exception {
        int a = single("a");
        int b = single("b");
        ScriptedBackendProvider.script = new int[] {a, a, a, a, a, a, a, a};
        try (TestServer s = new TestServer("scripted", 1, 4, 128)) {
            String bias = ", \"logit_bias\": {\"" + b + "\": 49}";
            assertEquals(TOK.decode(new int[] {a, a, a, a}), complete(s, bias, 4));
            assertEquals(TOK.decode(new int[] {a, b, a, a}), complete(s, bias + ", \"presence_penalty\": 2", 4));
            assertEquals(TOK.decode(new int[] {a, b, a, b}), complete(s, bias + ", \"frequency_penalty\": 2", 4));
        }
    }
}
