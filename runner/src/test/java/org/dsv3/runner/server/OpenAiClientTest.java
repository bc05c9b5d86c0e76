package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server as the official OpenAI Java SDK sees it: the tiny model for real output, the scripted device for exact text. */
class OpenAiClientTest {
    static TestServer tiny;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        tiny = new TestServer("cpu", 1, 8, 512);
        client = tiny.openAi();
    }

    @AfterAll
    static void stop() {
        if (tiny != null) {
            tiny.close();
        }
    }

    static ChatCompletionCreateParams.Builder chat(long maxTokens) {
        return ChatCompletionCreateParams.builder()
                .model("tiny")
                .addSystemMessage("You are terse.")
                .addUserMessage("Name three colours.")
                .maxCompletionTokens(maxTokens)
                .temperature(0.0)
                .seed(11);
    }

    @Test
    void chatCompletion() {
        ChatCompletion c = client.chat().completions().create(chat(8).build());
        c.validate();
        assertTrue(c.id().startsWith("chatcmpl-"), c.id());
        assertEquals("tiny", c.model());
        assertEquals(1, c.choices().size());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertFalse(choice.message().content().orElseThrow().isEmpty());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason());
        CompletionUsage u = c.usage().orElseThrow();
        assertEquals(8, u.completionTokens());
        assertTrue(u.promptTokens() > 5);
        assertEquals(u.promptTokens() + u.completionTokens(), u.totalTokens());
    }

    @Test
    void streamingGivesTheSameTextInChunks() {
        String whole = client.chat().completions().create(chat(10).build()).choices().getFirst().message().content().orElseThrow();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                chat(10).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        chunks.forEach(ChatCompletionChunk::validate);
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk.Choice.FinishReason> finishes = new ArrayList<>();
        for (ChatCompletionChunk ch : chunks) {
            for (ChatCompletionChunk.Choice choice : ch.choices()) {
                choice.delta().content().ifPresent(text::append);
                choice.finishReason().ifPresent(finishes::add);
            }
        }
        assertEquals(whole, text.toString());
        assertEquals(List.of(ChatCompletionChunk.Choice.FinishReason.LENGTH), finishes);
        assertTrue(chunks.getFirst().choices().getFirst().delta().role().isPresent(), "the first chunk names the role");
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "usage comes in a last chunk without choices");
        assertEquals(10, last.usage().orElseThrow().completionTokens());
        assertEquals(1, chunks.stream().map(ChatCompletionChunk::id).distinct().count());
    }

    @Test
    void theSameSeedSamplesTheSameAnswer() {
        ChatCompletionCreateParams p = chat(12).temperature(1.0).topP(0.9).seed(99).build();
        String a = client.chat().completions().create(p).choices().getFirst().message().content().orElseThrow();
        String b = client.chat().completions().create(p).choices().getFirst().message().content().orElseThrow();
        assertEquals(a, b);
    }

    @Test
    void textCompletion() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model("tiny").prompt("Once upon a time").maxTokens(6).temperature(0.0).build());
        c.validate();
        assertTrue(c.id().startsWith("cmpl-"));
        CompletionChoice choice = c.choices().getFirst();
        assertFalse(choice.text().isEmpty());
        assertEquals(CompletionChoice.FinishReason.LENGTH, choice.finishReason());
        assertEquals(6, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void listsTheModel() {
        List<Model> models = client.models().list().data();
        assertEquals(1, models.size());
        assertEquals("tiny", models.getFirst().id());
    }

    @Test
    void reasoningGoesToReasoningContentAndStopStringsCut() {
        TestModels.script("<think>Check the sky.</think>Blue.\nUser: more");
        try (TestServer s = new TestServer("scripted", 1, 4, 256)) {
            OpenAIClient c = s.openAi();
            ChatCompletion r = c.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("tiny").addUserMessage("Sky colour?").stop("\nUser:").build());
            ChatCompletion.Choice choice = r.choices().getFirst();
            assertEquals("Blue.", choice.message().content().orElseThrow());
            Map<String, JsonValue> extra = choice.message()._additionalProperties();
            assertEquals("Check the sky.", extra.get("reasoning_content").convert(String.class));
            assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());

            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> st = c.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("tiny").addUserMessage("Sky colour?").stop("\nUser:").build())) {
                st.stream().forEach(ch -> ch.choices().forEach(ci -> {
                    ci.delta().content().ifPresent(content::append);
                    JsonValue r2 = ci.delta()._additionalProperties().get("reasoning_content");
                    if (r2 != null) {
                        reasoning.append(r2.convert(String.class));
                    }
                }));
            }
            assertEquals("Blue.", content.toString());
            assertEquals("Check the sky.", reasoning.toString());
        }
    }

    @Test
    void theEndOfGenerationIsAStop() {
        TestModels.script("Done.");
        try (TestServer s = new TestServer("scripted", 1, 4, 256)) {
            OpenAIClient c = s.openAi();
            ChatCompletion r = c.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("tiny").addUserMessage("Go").addAssistantMessage("Ok").addUserMessage("Again").build());
            assertEquals("Done.", r.choices().getFirst().message().content().orElseThrow());
            assertEquals(ChatCompletion.Choice.FinishReason.STOP, r.choices().getFirst().finishReason());
            assertEquals(TestModels.tokenizer().encode("Done.", false, false).length,
                    r.usage().orElseThrow().completionTokens());
        }
    }
}
