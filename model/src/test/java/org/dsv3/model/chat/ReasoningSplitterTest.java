package org.dsv3.model.chat;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReasoningSplitterTest {

    /** Feeds {@code text} in random chunks; returns {reasoning, content}. */
    private static String[] run(String text, boolean opened, long seed) {
        ReasoningSplitter s = new ReasoningSplitter(opened);
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder r = new StringBuilder();
        StringBuilder c = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int j = Math.min(text.length(), i + 1 + rnd.nextInt(4));
            var d = s.push(text.substring(i, j));
            r.append(d.reasoning());
            c.append(d.content());
            i = j;
        }
        var d = s.finish();
        r.append(d.reasoning());
        c.append(d.content());
        assertEquals(r.toString(), s.reasoning());
        assertEquals(c.toString(), s.content());
        return new String[]{r.toString(), c.toString()};
    }

    private static void check(String text, boolean opened, String reasoning, String content) {
        for (long seed = 0; seed < 50; seed++) {
            String[] got = run(text, opened, seed);
            assertEquals(reasoning, got[0], "reasoning of " + text);
            assertEquals(content, got[1], "content of " + text);
        }
    }

    @Test
    void splitsReasoningFromContent() {
        check("<think>\nLet me add.\n</think>\n\nThe answer is 4.", false, "Let me add.\n", "The answer is 4.");
        check("  <think>x</think>y", false, "x", "y");
    }

    @Test
    void promptThatOpenedReasoning() {
        check("Let me add.\n</think>\n\n4", true, "Let me add.\n", "4");
    }

    @Test
    void noReasoningAtAll() {
        check("Just an answer with <think> inside.", false, "", "Just an answer with <think> inside.");
        check("<thin", false, "", "<thin");
        check("", false, "", "");
    }

    @Test
    void unclosedReasoningStaysReasoning() {
        check("<think>still thinking </thi", false, "still thinking </thi", "");
    }

    @Test
    void laterTagsAreContent() {
        check("<think>a</think>b</think>c<think>d", false, "a", "b</think>c<think>d");
    }

    @Test
    void stripReasoning() {
        assertEquals("\n\n4", ReasoningSplitter.stripReasoning("<think>x</think>\n\n4"));
        assertEquals("plain", ReasoningSplitter.stripReasoning("plain"));
        assertEquals("c", ReasoningSplitter.stripReasoning("a</think>b</think>c"));
    }
}
