package org.dsv3.runner.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.dsv3.runner.generate.ReasoningStream;
import org.junit.jupiter.api.Test;

class ReasoningPrinterTest {

    static String print(ReasoningPrinter.Style style, boolean promptOpened, String... pieces) {
        StringWriter w = new StringWriter();
        ReasoningPrinter p = new ReasoningPrinter(new PrintWriter(w), style);
        ReasoningStream s = new ReasoningStream(promptOpened, p);
        for (String piece : pieces) {
            s.text(piece);
        }
        s.finish();
        p.end();
        return w.toString();
    }

    @Test
    void marksReasoningInPlainOutput() {
        assertEquals("[reasoning]\nLet me think.\n[/reasoning]\nThe answer.\n",
                print(ReasoningPrinter.Style.MARKED, false, "<thi", "nk>Let me", " think.</th", "ink>\n\nThe answer."));
    }

    @Test
    void dimsReasoningOnATerminal() {
        assertEquals("\u001b[2mhmm\u001b[0m\n\nyes\n",
                print(ReasoningPrinter.Style.DIM, true, "hmm</think>", "yes"));
    }

    @Test
    void hidesReasoningWhenAsked() {
        assertEquals("yes\n", print(ReasoningPrinter.Style.HIDDEN, false, "<think>secret</think>yes"));
    }

    @Test
    void answersWithoutReasoningAreUntouched() {
        assertEquals("plain answer\n", print(ReasoningPrinter.Style.MARKED, false, "plain ", "answer"));
    }

    @Test
    void anUnclosedReasoningBlockIsClosedAtTheEnd() {
        assertEquals("[reasoning]\nstill thinking\n[/reasoning]\n",
                print(ReasoningPrinter.Style.MARKED, true, "still thinking"));
    }
}
