package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/** Slots, the queue, clients that go away, and many clients at once. */
class ConcurrencyTest {
    static final String LONG = "{\"messages\": [{\"role\": \"user\", \"content\": \"Write a very long story.\"}],"
            + " \"max_tokens\": 3000, \"temperature\": 0, \"stream\": true}";
    static final String SHORT = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3}";

    /** A streaming request on a raw socket, so the test can drop the connection whenever it likes. */
    static final class RawStream implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        RawStream(TestServer s, String body) throws IOException {
            socket = new Socket("127.0.0.1", s.port());
            socket.setSoTimeout(20_000);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads until {@code n} lines matching {@code what} have come. */
        void await(int n, Predicate<String> what) throws IOException {
            int seen = 0;
            String line;
            while (seen < n && (line = in.readLine()) != null) {
                if (line.contains("[DONE]")) {
                    fail("the stream ended before the test dropped it");
                }
                if (what.test(line)) {
                    seen++;
                }
            }
            if (seen < n) {
                fail("the connection closed after " + seen + " lines");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static void waitFor(TestServer s, String field, int value, long maxMillis) throws Exception {
        long end = System.nanoTime() + maxMillis * 1_000_000;
        JsonNode h;
        do {
            h = s.health();
            if (h.get(field).asInt() == value) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < end);
        fail("after " + maxMillis + " ms still " + h);
    }

    /**
     * A scripted answer of ~1,000 tokens at 20 ms a token for the tests that must interrupt a stream: the
     * tiny model's greedy answer depends on the machine's vector width and on the CPU dot mode, and on some
     * machines ended before the test dropped it.
     */
    static void slowLongAnswer() {
        TestModels.script("Once upon a time there was a story. ".repeat(120));
        ScriptedBackendProvider.stepMillis = 20;
    }

    @Test
    void aClientThatDisconnectsMidStreamFreesItsSlotAtOnce() throws Exception {
        slowLongAnswer();
        try (TestServer s = new TestServer("scripted", 1, 0, 4096)) {
            RawStream stream = new RawStream(s, LONG);
            stream.await(5, l -> l.startsWith("data: {"));
            assertEquals(0, s.health().get("slots_idle").asInt(), "the only slot is busy");

            HttpResponse<String> refused = s.post("/v1/chat/completions", SHORT);
            BadRequestTest.assertError(refused, 429, "rate_limit_error", null, "rate_limit_exceeded");

            long t0 = System.nanoTime();
            stream.close();
            waitFor(s, "slots_idle", 1, 2000);
            HttpResponse<String> ok = s.post("/v1/chat/completions", SHORT);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ms < 3000, "the next request was served " + ms + " ms after the disconnect");
        } finally {
            ScriptedBackendProvider.stepMillis = 0;
        }
    }

    @Test
    void aClientThatLeavesTheQueueGivesUpItsPlace() throws Exception {
        slowLongAnswer();
        try (TestServer s = new TestServer("scripted", 1, 1, 4096)) {
            RawStream running = new RawStream(s, LONG);
            running.await(3, l -> l.startsWith("data: {"));
            RawStream waiting = new RawStream(s, LONG);
            waiting.await(1, l -> l.startsWith(": waiting"));
            assertEquals(1, s.health().get("requests_waiting").asInt());
            waiting.close();
            waitFor(s, "requests_waiting", 0, 5000);
            running.close();
            waitFor(s, "slots_idle", 1, 2000);
            assertEquals(200, s.post("/v1/chat/completions", SHORT).statusCode());
        } finally {
            ScriptedBackendProvider.stepMillis = 0;
        }
    }

    static final String LONG_WHOLE = LONG.replace("\"stream\": true", "\"stream\": false");

    @Test
    void aNonStreamingClientThatDisconnectsFreesItsSlot() throws Exception {
        try (TestServer s = new TestServer("cpu", 1, 0, 4096)) {
            RawStream whole = new RawStream(s, LONG_WHOLE);
            waitFor(s, "slots_idle", 0, 5000);
            long t0 = System.nanoTime();
            whole.close();
            waitFor(s, "slots_idle", 1, 2000);
            HttpResponse<String> ok = s.post("/v1/chat/completions", SHORT);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ms < 3000, "the next request was served " + ms + " ms after the disconnect");
        }
    }

    @Test
    void aWholeAnswerLongerThanTheIdleTimeoutIsDelivered() throws Exception {
        try (TestServer s = new TestServer("cpu", 1, 0, 4096, null, 200)) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Go.\"}],"
                    + " \"max_tokens\": 400, \"temperature\": 1, \"seed\": 3}");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = TestServer.JSON.readTree(r.body());
            assertTrue(ms > 200 || body.at("/usage/completion_tokens").asInt() < 400, "took " + ms + " ms");
            assertTrue(body.at("/usage/completion_tokens").asInt() > 0, r.body());
        }
    }

    @Test
    void aQueuedNonStreamingClientThatLeavesGivesUpItsPlace() throws Exception {
        try (TestServer s = new TestServer("cpu", 1, 1, 4096)) {
            RawStream running = new RawStream(s, LONG);
            running.await(3, l -> l.startsWith("data: {"));
            RawStream waiting = new RawStream(s, LONG_WHOLE);
            waitFor(s, "requests_waiting", 1, 5000);
            waiting.close();
            waitFor(s, "requests_waiting", 0, 2000);
            running.close();
            waitFor(s, "slots_idle", 1, 2000);
            assertEquals(200, s.post("/v1/chat/completions", SHORT).statusCode());
        } finally {
            ScriptedBackendProvider.stepMillis = 0;
        }
    }

    @Test
    void eightClientsThreeRequestsEachOnTwoSlots() throws Exception {
        String[] questions = {"What is the capital of France?", "Count to five.", "Say something nice."};
        int tokens = 12;
        try (TestServer s = new TestServer("cpu", 2, 16, 512)) {
            OpenAIClient client = s.openAi();
            String[] expected = new String[questions.length];
            for (int q = 0; q < questions.length; q++) {
                expected[q] = client.chat().completions().create(params(questions[q], tokens)).choices().getFirst()
                        .message().content().orElseThrow();
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int clientNo = c;
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 3; i++) {
                        int q = (clientNo + i) % questions.length;
                        boolean stream = (clientNo + i) % 2 == 0;
                        String got = stream ? streamed(client, questions[q], tokens, problems) : whole(client, questions[q], tokens, problems);
                        if (!expected[q].equals(got)) {
                            problems.add("client " + clientNo + " request " + i + (stream ? " (stream)" : "")
                                    + ": got '" + got + "', expected '" + expected[q] + "'");
                        } else {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS), "the load test did not finish in time");
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get();
            }
            assertTrue(problems.isEmpty(), String.join("\n", problems));
            assertEquals(24, ok);
            JsonNode h = s.health();
            assertEquals(2, h.get("slots_idle").asInt());
            assertEquals(0, h.get("requests_waiting").asInt());
        }
    }

    static ChatCompletionCreateParams params(String question, int tokens) {
        return ChatCompletionCreateParams.builder().model("tiny").addUserMessage(question)
                .maxCompletionTokens(tokens).temperature(0.0).build();
    }

    static String whole(OpenAIClient client, String q, int tokens, ConcurrentLinkedQueue<String> problems) {
        ChatCompletion c = client.chat().completions().create(params(q, tokens));
        c.validate();
        ChatCompletion.Choice choice = c.choices().getFirst();
        if (!ChatCompletion.Choice.FinishReason.LENGTH.equals(choice.finishReason())) {
            problems.add("finish reason " + choice.finishReason());
        }
        var u = c.usage().orElseThrow();
        if (u.completionTokens() != tokens || u.totalTokens() != u.promptTokens() + tokens) {
            problems.add("usage " + u);
        }
        return choice.message().content().orElseThrow();
    }

    static String streamed(OpenAIClient client, String q, int tokens, ConcurrentLinkedQueue<String> problems) {
        StringBuilder text = new StringBuilder();
        int finishes = 0;
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params(q, tokens))) {
            for (ChatCompletionChunk ch : (Iterable<ChatCompletionChunk>) s.stream()::iterator) {
                ch.validate();
                for (ChatCompletionChunk.Choice c : ch.choices()) {
                    c.delta().content().ifPresent(text::append);
                    if (c.finishReason().isPresent()) {
                        finishes++;
                    }
                }
            }
        }
        if (finishes != 1) {
            problems.add(finishes + " finish reasons in one stream");
        }
        return text.toString();
    }
}
