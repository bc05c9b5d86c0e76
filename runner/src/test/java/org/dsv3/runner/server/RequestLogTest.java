package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** One line per request: time, client, method, path, status, duration, tokens in and out; never the prompt. */
class RequestLogTest {
    /** {@code 2026-12-02T14:55:01.123Z 127.0.0.1:51234 POST /v1/completions 200 153.2ms in=24 out=16} */
    static final Pattern LINE = Pattern.compile("(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z) "
            + "127\\.0\\.0\\.1:(\\d+) ([A-Z]+) (\\S+) (\\d{3}) (\\d+\\.\\d)ms in=(-|\\d+) out=(-|\\d+)");

    /** Waits for the server's {@code n}th line (it is written once the answer is out). */
    static Matcher line(TestServer s, int n) throws InterruptedException {
        for (int i = 0; i < 200 && s.requestLines().size() < n; i++) {
            Thread.sleep(10);
        }
        List<String> lines = s.requestLines();
        assertTrue(lines.size() >= n, "line " + n + " of " + lines);
        Matcher m = LINE.matcher(lines.get(n - 1));
        assertTrue(m.matches(), "the shape of: " + lines.get(n - 1));
        return m;
    }

    @Test
    void eachRequestGetsOneLineOfTheDocumentedShape() throws Exception {
        try (TestServer s = new TestServer("cpu", 1, 4, 128)) {
            String secret = "Zebra-7781 told a story";
            HttpResponse<String> r = s.post("/v1/completions", "{\"prompt\": \"" + secret + "\", \"max_tokens\": 3,"
                    + " \"temperature\": 0}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode usage = TestServer.JSON.readTree(r.body()).get("usage");
            Matcher m = line(s, 1);
            java.time.Instant.parse(m.group(1));
            assertEquals("POST", m.group(4));
            assertEquals("/v1/completions", m.group(5));
            assertEquals("200", m.group(6));
            assertEquals(usage.get("prompt_tokens").asText(), m.group(8));
            assertEquals("3", m.group(9));
            assertTrue(Double.parseDouble(m.group(7)) > 0);

            HttpResponse<String> streamed = s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\","
                    + " \"content\": \"" + secret + "\"}], \"max_tokens\": 4, \"stream\": true}");
            assertEquals(200, streamed.statusCode());
            m = line(s, 2);
            assertEquals("/v1/chat/completions", m.group(5));
            assertEquals("4", m.group(9), "a stream's line comes at its end, with its tokens");

            assertEquals(200, s.get("/health").statusCode());
            m = line(s, 3);
            assertEquals("GET /health 200", m.group(4) + " " + m.group(5) + " " + m.group(6));
            assertEquals("-", m.group(8));
            assertEquals("-", m.group(9));

            assertEquals(400, s.post("/v1/completions", "{\"prompt\": \"" + secret + "\", \"max_tokens\": -1}").statusCode());
            assertEquals("400", line(s, 4).group(6));
            assertEquals(404, s.get("/nowhere").statusCode());
            assertEquals("/nowhere 404", line(s, 5).group(5) + " " + line(s, 5).group(6));

            assertEquals(5, s.requestLines().size(), "one line per request: " + s.requestLines());
            for (String l : s.requestLines()) {
                assertFalse(l.contains("Zebra"), "no prompt text in the log: " + l);
            }
        }
    }
}
