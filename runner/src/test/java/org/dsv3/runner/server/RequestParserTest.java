package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.dsv3.model.chat.ChatMessage;
import org.junit.jupiter.api.Test;

class RequestParserTest {
    final RequestParser parser = new RequestParser(100, 2048);
    final ObjectMapper json = new ObjectMapper();

    ApiRequest chat(String body) throws Exception {
        return parser.chat(json.readTree(body));
    }

    @Test
    void defaultsWhereTheRequestIsSilent() throws Exception {
        ApiRequest r = chat("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        assertTrue(r.chat());
        assertFalse(r.stream());
        assertEquals(List.of(ChatMessage.user("Hi")), r.messages());
        assertEquals(0, r.params().maxTokens(), "until the context is full");
        assertEquals(RequestParser.TEMPERATURE, r.params().sampler().temperature());
        assertEquals(RequestParser.TOP_K, r.params().sampler().topK());
        assertTrue(r.params().stop().isEmpty());
    }

    @Test
    void readsEveryField() throws Exception {
        ApiRequest r = chat("""
                {"model": "x", "messages": [
                   {"role": "developer", "content": "Be brief."},
                   {"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]},
                   {"role": "assistant", "content": null},
                   {"role": "user", "content": "Go", "name": "bob"}],
                 "temperature": 0.2, "top_p": 0.5, "top_k": 7, "min_p": 0.1, "seed": 5, "n": 1,
                 "max_tokens": 50, "max_completion_tokens": 20, "stop": ["END", "STOP"],
                 "stream": true, "stream_options": {"include_usage": true}, "user": "ignored"}""");
        assertEquals(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello there"), ChatMessage.assistant(""),
                ChatMessage.user("Go")), r.messages());
        assertEquals(0.2f, r.params().sampler().temperature());
        assertEquals(0.5f, r.params().sampler().topP());
        assertEquals(7, r.params().sampler().topK());
        assertEquals(0.1f, r.params().sampler().minP());
        assertEquals(5, r.params().sampler().seed());
        assertEquals(20, r.params().maxTokens(), "max_completion_tokens wins over the older max_tokens");
        assertEquals(List.of("END", "STOP"), r.params().stop());
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
    }

    @Test
    void aSingleStopStringAndTopPZeroMeanGreedy() throws Exception {
        ApiRequest r = chat("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"stop\": \"\\n\", \"top_p\": 0}");
        assertEquals(List.of("\n"), r.params().stop());
        assertTrue(r.params().sampler().greedy());
    }

    @Test
    void completionsTakeAPromptString() throws Exception {
        ApiRequest r = parser.completion(json.readTree("{\"prompt\": [\"Once\"], \"max_tokens\": 100}"));
        assertFalse(r.chat());
        assertEquals("Once", r.prompts().getFirst().text());
        assertEquals(100, r.params().maxTokens());
        ApiError e = assertThrows(ApiError.class, () -> parser.completion(json.readTree("{\"prompt\": \"x\", \"max_tokens\": 101}")));
        assertEquals("max_tokens", e.toJson().at("/error/param").asText());
    }
}
