package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/**
 * Tool calls end to end through the HTTP API: the scripted device writes DeepSeek-V3's call markup
 * (as special tokens, as the real model does), and the tests check what the model was shown (the
 * prompt the template rendered, with our tools message and the forced call's start) and what the
 * client gets (OpenAI {@code tool_calls}, streamed as OpenAI streams them).
 */
class ToolCallsTest {
    static final String CALL = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"
            + "{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
    static final String WEATHER_TOOL = "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\","
            + " \"description\": \"The weather in a city now.\", \"parameters\": {\"type\": \"object\","
            + " \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}";
    static final String TIME_TOOL = "{\"type\": \"function\", \"function\": {\"name\": \"get_time\", \"parameters\": {\"type\": \"object\"}}}";

    /** The scripted device writes {@code text} read with its special tokens. */
    static void script(String text) {
        ScriptedBackendProvider.script = TestModels.tokenizer().encode(text, true, false);
    }

    /** Everything fed to the model since the last clear, as text (the prompt first). */
    static String fedText() {
        List<Integer> all = new ArrayList<>();
        synchronized (ScriptedBackendProvider.fed) {
            ScriptedBackendProvider.fed.forEach(a -> {
                for (int t : a) {
                    all.add(t);
                }
            });
        }
        return TestModels.tokenizer().decode(all.stream().mapToInt(Integer::intValue).toArray());
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body());
    }

    static String request(String extra) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}], \"tools\": [" + WEATHER_TOOL
                + ", " + TIME_TOOL + "]" + extra + "}";
    }

    @Test
    void theModelsCallComesBackAsOpenAiToolCalls() throws Exception {
        script("Let me check." + CALL);
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            ScriptedBackendProvider.fed.clear();
            JsonNode r = ok(s.post("/v1/chat/completions", request("")));
            JsonNode message = r.at("/choices/0/message");
            assertEquals("tool_calls", r.at("/choices/0/finish_reason").asText());
            assertEquals("Let me check.", message.get("content").asText());
            JsonNode call = message.at("/tool_calls/0");
            assertEquals(1, message.get("tool_calls").size());
            assertTrue(call.get("id").asText().matches("call_[A-Za-z0-9]{24}"), call.toString());
            assertEquals("function", call.get("type").asText());
            assertEquals("get_weather", call.at("/function/name").asText());
            assertEquals("{\"city\": \"Paris\"}", call.at("/function/arguments").asText());

            // the prompt: DeepSeek-V3's template does not render tools, so our system message describes them
            String prompt = fedText();
            assertTrue(prompt.startsWith("<｜begin▁of▁sentence｜>## Tools\n"), prompt);
            assertTrue(prompt.contains("{\"name\":\"get_weather\",\"description\":\"The weather in a city now.\",\"parameters\":"
                    + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}\n"
                    + "{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\"}}\n"), prompt);
            assertTrue(prompt.contains("<｜User｜>Weather in Paris?<｜Assistant｜>"), prompt);
        }
    }

    @Test
    void aCallAndItsResultAreRenderedAsDeepSeekV3sTemplateWritesThem() throws Exception {
        script("It is 18°C and sunny in Paris.");
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            ScriptedBackendProvider.fed.clear();
            String body = "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                    + " {\"role\": \"user\", \"content\": \"Weather in Paris?\"},"
                    + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\","
                    + "   \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
                    + " {\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"18°C, sunny\"}],"
                    + " \"tools\": [" + WEATHER_TOOL + "]}";
            JsonNode r = ok(s.post("/v1/chat/completions", body));
            assertEquals("It is 18°C and sunny in Paris.", r.at("/choices/0/message/content").asText());
            assertEquals("stop", r.at("/choices/0/finish_reason").asText());
            assertFalse(r.at("/choices/0/message").has("tool_calls"));
            String prompt = fedText();
            // system prompts first (ours after the request's, joined by a blank line), then the turns;
            // after tool outputs the template opens no new assistant turn: the model goes on in its own
            assertTrue(prompt.startsWith("<｜begin▁of▁sentence｜>Be brief.\n\n## Tools\n"), prompt);
            assertTrue(prompt.contains("<｜User｜>Weather in Paris?<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function"
                    + "<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜>"
                    + "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>18°C, sunny<｜tool▁output▁end｜><｜tool▁outputs▁end｜>"
                    + "It is 18°C"), prompt);
        }
    }

    @Test
    void aNamedToolChoiceStartsTheCallForTheModel() throws Exception {
        script("{\"city\": \"Lyon\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>");
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            ScriptedBackendProvider.fed.clear();
            JsonNode r = ok(s.post("/v1/chat/completions",
                    request(", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}")));
            assertTrue(fedText().contains("<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Lyon\"}"),
                    fedText());
            assertEquals("get_weather", r.at("/choices/0/message/tool_calls/0/function/name").asText());
            assertEquals("{\"city\": \"Lyon\"}", r.at("/choices/0/message/tool_calls/0/function/arguments").asText());
            assertTrue(r.at("/choices/0/message/content").isNull());
            assertEquals("tool_calls", r.at("/choices/0/finish_reason").asText());
        }
    }

    @Test
    void requiredLeavesTheModelTheChoiceOfFunction() throws Exception {
        script("get_time\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>");
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            ScriptedBackendProvider.fed.clear();
            JsonNode r = ok(s.post("/v1/chat/completions", request(", \"tool_choice\": \"required\"")));
            assertTrue(fedText().contains("<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time"), fedText());
            assertEquals("get_time", r.at("/choices/0/message/tool_calls/0/function/name").asText());
            assertEquals("{}", r.at("/choices/0/message/tool_calls/0/function/arguments").asText());
        }
    }

    @Test
    void toolChoiceNoneHidesTheToolsFromTheModel() throws Exception {
        script("No tools needed.");
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            ScriptedBackendProvider.fed.clear();
            JsonNode r = ok(s.post("/v1/chat/completions", request(", \"tool_choice\": \"none\"")));
            assertEquals("No tools needed.", r.at("/choices/0/message/content").asText());
            assertFalse(fedText().contains("## Tools"), fedText());
        }
    }

    @Test
    void streamedCallsArriveAsOpenAiDeltasThroughTheSdk() {
        script("Checking." + CALL);
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tiny")
                    .addUserMessage("Weather in Paris?")
                    .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                            .description("The weather in a city now.")
                            .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                    .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                    .build()).build()).build())
                    .build();
            List<ChatCompletionChunk> chunks = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> st = s.openAi().chat().completions().createStreaming(params)) {
                st.stream().forEach(chunks::add);
            }
            chunks.forEach(ChatCompletionChunk::validate);
            StringBuilder content = new StringBuilder();
            StringBuilder arguments = new StringBuilder();
            List<String> names = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            String finish = null;
            for (ChatCompletionChunk c : chunks) {
                ChatCompletionChunk.Choice ch = c.choices().getFirst();
                ch.delta().content().ifPresent(content::append);
                for (ChatCompletionChunk.Choice.Delta.ToolCall tc : ch.delta().toolCalls().orElse(List.of())) {
                    assertEquals(0, tc.index());
                    tc.id().ifPresent(ids::add);
                    tc.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::name).ifPresent(names::add);
                    tc.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments).ifPresent(arguments::append);
                }
                if (ch.finishReason().isPresent()) {
                    finish = ch.finishReason().get().asString();
                }
            }
            assertEquals("Checking.", content.toString());
            assertEquals(List.of("get_weather"), names, "the name comes once, in the call's first delta");
            assertEquals(1, ids.size(), "the id comes once");
            assertEquals("{\"city\": \"Paris\"}", arguments.toString());
            assertEquals("tool_calls", finish);

            ChatCompletion whole = s.openAi().chat().completions().create(params);
            ChatCompletionMessageToolCall call = whole.choices().getFirst().message().toolCalls().orElseThrow().getFirst();
            assertEquals("get_weather", call.asFunction().function().name());
            assertEquals("{\"city\": \"Paris\"}", call.asFunction().function().arguments());
            assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, whole.choices().getFirst().finishReason());
        }
    }

    @Test
    void whatTheTemplateCannotRenderOrTheServerCannotDoIsA400() throws Exception {
        script("x");
        try (TestServer s = new TestServer("scripted", 1, 4, 1024)) {
            String both = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                    + " {\"role\": \"assistant\", \"content\": \"Looking.\", \"tool_calls\": [{\"id\": \"c\", \"type\": \"function\","
                    + " \"function\": {\"name\": \"get_weather\", \"arguments\": \"{}\"}}]},"
                    + " {\"role\": \"tool\", \"tool_call_id\": \"c\", \"content\": \"sunny\"}]}";
            assertError(s.post("/v1/chat/completions", both), "messages[1].tool_calls", "content is null or empty");
            // the same with tools offered: their description names the function, which must not pass for the call
            String example = both.replace("\"arguments\": \"{}\"", "\"arguments\": \"{\\\"argument\\\": \\\"value\\\"}\"");
            assertTrue(example.contains("argument\\\": "), example); // the arguments of our tools message's example call
            assertError(s.post("/v1/chat/completions", example.substring(0, example.length() - 1) + ", \"tools\": [" + WEATHER_TOOL + "]}"),
                    "messages[1].tool_calls", "content is null or empty");
            assertError(s.post("/v1/chat/completions", request(", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"nope\"}}")),
                    "tool_choice", "'nope', which is not among the tools");
            assertError(s.post("/v1/chat/completions", request(", \"tool_choice\": \"sometimes\"")), "tool_choice", "\"sometimes\"");
            assertError(s.post("/v1/chat/completions", request(", \"parallel_tool_calls\": false")), "parallel_tool_calls", "not supported");
            assertError(s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"tool_choice\": \"required\"}"),
                    "tool_choice", "no tools");
            assertError(s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"tool\", \"content\": \"sunny\"}]}"),
                    "messages[0].tool_call_id", "must be the id");
            assertError(s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                    + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a b\"}}]}"), "tools[0].function.name", "letters");
            assertError(s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                    + " \"tools\": [{\"type\": \"web_search\"}]}"), "tools[0].type", "only function tools");
            assertError(s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                    + " \"functions\": [{\"name\": \"f\"}]}"), "functions", "use tools");
            // the server keeps serving
            assertEquals(200, s.post("/v1/chat/completions", request("")).statusCode());
        }
    }

    static void assertError(HttpResponse<String> r, String param, String messagePart) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        JsonNode e = TestServer.JSON.readTree(r.body()).get("error");
        assertEquals(param, e.get("param").asText(), r.body());
        assertTrue(e.get("message").asText().contains(messagePart), r.body());
    }
}
