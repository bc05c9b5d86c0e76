package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/** {@code serve -b N}: the server feeds a prompt to the model N tokens per forward step. */
class PromptBatchTest {

    /** The lengths of the forward steps one completion of {@code prompt} makes on a server with this batch. */
    private static List<Integer> forwardSteps(int batch, String prompt) throws Exception {
        TestModels.script("Ok.");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 1, 4, ServerConfig.DEFAULT_MAX_BODY, "tiny");
        try (ApiServer server = new ApiServer(TestServer.model("scripted"), new SessionOptions(KvCacheType.F16, 256), config,
                batch).start(); HttpClient http = HttpClient.newHttpClient()) {
            server.awaitWarm(60_000); // its one-token step is not the request's
            ScriptedBackendProvider.fed.clear();
            String body = TestServer.JSON.writeValueAsString(java.util.Map.of("prompt", prompt, "max_tokens", 1));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v1/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            synchronized (ScriptedBackendProvider.fed) {
                return ScriptedBackendProvider.fed.stream().map(a -> a.length).toList();
            }
        }
    }

    @Test
    void thePromptGoesInStepsOfTheBatchSize() throws Exception {
        String prompt = "one two three four five six seven eight nine ten";
        int tokens = TestModels.tokenizer().encode(prompt, false, false).length;
        assertTrue(tokens > 6, "a prompt of several batches: " + tokens);
        List<Integer> small = forwardSteps(3, prompt);
        assertEquals(3, small.getFirst(), small.toString());
        assertTrue(small.stream().allMatch(n -> n <= 3), small.toString());
        assertTrue(small.size() >= (tokens + 2) / 3, small.toString());
        List<Integer> whole = forwardSteps(512, prompt);
        assertTrue(whole.getFirst() >= tokens, "the default batch takes the prompt at once: " + whole);
    }
}
