package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ChatTemplate;
import org.junit.jupiter.api.Test;

/** {@code dsv3 chat} driven through standard input, on the tiny model and on the scripted device. */
class ChatCommandTest {

    static RunCommandTest.Result chat(String input, String... extra) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return RunCommandTest.run(RunCommandTest.withDefaults(List.of("chat", "--model", TestModels.tiny().toString(),
                    "--threads", "2", "--ctx", "512", "--temperature", "0"), extra));
        } finally {
            System.setIn(saved);
        }
    }

    /** A chat whose every answer is {@code answer} exactly. */
    static RunCommandTest.Result scripted(String answer, String input, String... extra) {
        TestModels.script(answer);
        List<String> args = new ArrayList<>(List.of("--device", "scripted"));
        args.addAll(List.of(extra));
        return chat(input, args.toArray(String[]::new));
    }

    static List<String> statsLines(String err) {
        return err.lines().filter(l -> l.startsWith("dsv3: prompt ")).toList();
    }

    static int promptTokens(ChatMessage... messages) {
        return ChatTemplate.encode(TestModels.tokenizer(), TestModels.template(), List.of(messages), true).length;
    }

    @Test
    void keepsHistoryResetsAndExitsOnTheTinyModel() {
        RunCommandTest.Result r = chat("Hello\nHow are you?\n/reset\nHello\n/exit\nnever read\n", "-n", "6");
        assertEquals(0, r.code(), r.err());
        List<String> stats = statsLines(r.err());
        assertEquals(3, stats.size(), "three answers, nothing after /exit: " + r.err());
        int hello = promptTokens(ChatMessage.user("Hello"));
        assertTrue(stats.get(0).startsWith("dsv3: prompt " + hello + " tokens ("), stats.get(0));
        assertTrue(stats.get(1).matches("dsv3: prompt \\d+ tokens, \\d+ cached .*"),
                "the second turn reuses the first one's cache: " + stats.get(1));
        assertTrue(stats.get(2).startsWith("dsv3: prompt " + hello + " tokens ("), "after /reset the history is gone: " + stats.get(2));
        String[] parts = r.out().split("\\(new conversation\\)\n", -1);
        assertEquals(2, parts.length, r.out());
        assertTrue(parts[0].startsWith(parts[1]), "greedy: the answer to Hello after /reset is the first answer again");
    }

    @Test
    void theSecondTurnCarriesTheFirstAnswerAndReusesItsCache() {
        RunCommandTest.Result r = scripted("Sure thing.", "Hello\nAnd then?\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("Sure thing.\nSure thing.\n", r.out());
        List<String> stats = statsLines(r.err());
        int first = promptTokens(ChatMessage.user("Hello"));
        int second = promptTokens(ChatMessage.user("Hello"), ChatMessage.assistant("Sure thing."), ChatMessage.user("And then?"));
        assertTrue(stats.get(0).startsWith("dsv3: prompt " + first + " tokens ("), stats.get(0));
        assertTrue(stats.get(1).startsWith("dsv3: prompt " + second + " tokens, "), stats.get(1));
        assertTrue(stats.get(1).contains(" cached "), stats.get(1));
    }

    @Test
    void reasoningIsShownApartAndNotFedBack() {
        String answer = "<think>Let me see.</think>The answer.";
        RunCommandTest.Result shown = scripted(answer, "Q1\nQ2\n");
        assertEquals(0, shown.code(), shown.err());
        assertEquals("[reasoning]\nLet me see.\n[/reasoning]\nThe answer.\n".repeat(2), shown.out());
        int second = promptTokens(ChatMessage.user("Q1"), ChatMessage.assistant("The answer."), ChatMessage.user("Q2"));
        assertTrue(statsLines(shown.err()).get(1).startsWith("dsv3: prompt " + second + " tokens"), shown.err());

        RunCommandTest.Result hidden = scripted(answer, "Q1\n", "--hide-reasoning");
        assertEquals("The answer.\n", hidden.out());
    }

    @Test
    void endOfInputEndsTheChat() {
        RunCommandTest.Result r = scripted("Bye.", "Hi\n", "--no-stats");
        assertEquals(0, r.code(), r.err());
        assertTrue(statsLines(r.err()).isEmpty(), r.err());
        assertEquals("Bye.\n", r.out());
    }

    @Test
    void aFullContextIsReportedAndTheChatGoesOn() {
        RunCommandTest.Result r = scripted("word ".repeat(40), "Hi\n/reset\nHi\n", "--ctx", "16");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.out().split("\\(the context is full; /reset starts over\\)", -1).length - 1, r.out());
    }
}
