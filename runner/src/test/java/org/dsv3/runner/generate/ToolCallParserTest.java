package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.model.chat.ToolCall;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/**
 * The tool-call reader on DeepSeek-V3's markup: the text its own chat template writes for calls
 * (rendered from the tiny model's file, which carries DeepSeek-V3's template and tool tokens), and
 * hand-written answers in the format of DeepSeek's documentation; fed whole and character by character.
 */
class ToolCallParserTest {

    /** Everything the listener heard, as one line per event. */
    static final class Recorder implements ToolCallParser.Listener {
        final List<String> events = new ArrayList<>();
        final StringBuilder content = new StringBuilder();

        @Override
        public void content(String text) {
            content.append(text);
        }

        @Override
        public void callStart(int index, String name) {
            events.add("start " + index + " " + name);
        }

        @Override
        public void arguments(int index, String piece) {
            if (!events.isEmpty() && events.getLast().startsWith("args " + index + " ")) {
                events.set(events.size() - 1, events.getLast() + piece); // pieces of one run, joined
            } else {
                events.add("args " + index + " " + piece);
            }
        }

        @Override
        public void callEnd(int index) {
            events.add("end " + index);
        }
    }

    static Recorder whole(String text) {
        Recorder r = new Recorder();
        ToolCallParser p = new ToolCallParser(r);
        p.push(text);
        p.finish();
        return r;
    }

    static Recorder byChar(String text) {
        Recorder r = new Recorder();
        ToolCallParser p = new ToolCallParser(r);
        text.codePoints().forEach(c -> p.push(Character.toString(c)));
        p.finish();
        return r;
    }

    /** Whole and char by char give the same content and calls. */
    static Recorder both(String text) {
        Recorder a = whole(text);
        Recorder b = byChar(text);
        assertEquals(a.events, b.events, "fed character by character");
        assertEquals(a.content.toString(), b.content.toString(), "fed character by character");
        return a;
    }

    @Test
    void readsTheCallsDeepSeekV3sTemplateWrites() {
        List<ToolCall> calls = List.of(new ToolCall("call_1", "get_weather", "{\"city\": \"Paris\"}"),
                new ToolCall("call_2", "get_time", "{\"zone\": \"Europe/Paris\", \"format\": \"24h\"}"));
        String rendered = TestModels.template().render(List.of(ChatMessage.user("Weather and time in Paris?"),
                new ChatMessage("assistant", "", calls, null)), false);
        // what the model writes after <｜Assistant｜>, up to its end-of-sentence token
        String answer = rendered.substring(rendered.indexOf("<｜Assistant｜>") + "<｜Assistant｜>".length())
                .replace("<｜end▁of▁sentence｜>", "");
        assertTrue(answer.startsWith("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"), answer);
        Recorder r = both(answer);
        assertEquals(List.of("start 0 get_weather", "args 0 {\"city\": \"Paris\"}", "end 0",
                "start 1 get_time", "args 1 {\"zone\": \"Europe/Paris\", \"format\": \"24h\"}", "end 1"), r.events);
        assertEquals("", r.content.toString());
    }

    @Test
    void theMarkersAreSingleTokensOfTheVocabularyAndDecodeToTheirText() {
        Tokenizer t = TestModels.tokenizer();
        String text = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
        int[] ids = t.encode(text, true, false);
        assertEquals(t.tokenId("<｜tool▁calls▁begin｜>"), ids[0]);
        assertEquals(t.tokenId("<｜tool▁call▁begin｜>"), ids[1]);
        assertEquals(t.tokenId("<｜tool▁calls▁end｜>"), ids[ids.length - 1]);
        StringBuilder decoded = new StringBuilder();
        var d = t.streamingDecoder();
        for (int id : ids) {
            decoded.append(d.push(id));
        }
        decoded.append(d.flush());
        assertEquals(text, decoded.toString());
        assertEquals(List.of("start 0 f", "args 0 {}", "end 0"), both(decoded.toString()).events);
    }

    @Test
    void textBeforeAndAfterTheCallsIsContent() {
        Recorder r = both("Let me look that up.\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>search\n"
                + "```json\n{\"q\": \"`ls` in a ```fence```\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>Done.");
        assertEquals("Let me look that up.\nDone.", r.content.toString());
        assertEquals(List.of("start 0 search", "args 0 {\"q\": \"`ls` in a ```fence```\"}", "end 0"), r.events);
    }

    @Test
    void aCallWithoutTheFenceOrWithoutArgumentsStillReads() {
        assertEquals(List.of("start 0 now", "args 0 {}", "end 0", "start 1 ping", "end 1"),
                both("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>now\n{}<｜tool▁call▁end｜>\n"
                        + "<｜tool▁call▁begin｜>function<｜tool▁sep｜>ping<｜tool▁call▁end｜><｜tool▁calls▁end｜>").events);
        // a call the template's own later-call form writes: no calls marker before it
        assertEquals(List.of("start 0 now", "args 0 {\"a\": 1}", "end 0"),
                both("<｜tool▁call▁begin｜>function<｜tool▁sep｜>now\n```json\n{\"a\": 1}\n```<｜tool▁call▁end｜>").events);
    }

    @Test
    void anAnswerCutInsideACallEndsTheCallWithWhatCame() {
        Recorder r = both("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"city\": \"Par");
        assertEquals(List.of("start 0 get_weather", "args 0 {\"city\": \"Par", "end 0"), r.events);
    }

    @Test
    void aPartialMarkerThatNeverCompletesIsText() {
        Recorder r = both("a <｜tool▁call");
        assertEquals("a <｜tool▁call", r.content.toString());
        assertEquals(List.of(), r.events);
        Recorder s = both("<｜tool▁calls▁begin｜>not a call");
        assertEquals("not a call", s.content.toString());
    }

    @Test
    void argumentsStreamBeforeTheCallEnds() {
        Recorder r = new Recorder();
        ToolCallParser p = new ToolCallParser(r);
        p.push("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{\"long\": \"");
        p.push("abc");
        assertEquals(List.of("start 0 f", "args 0 {\"long\": \"abc"), r.events, "arguments are passed on as they come");
        p.push("\"}\n``");
        assertEquals("args 0 {\"long\": \"abc\"}", r.events.getLast(), "the closing fence is held back");
        p.push("`<｜tool▁call▁end｜>");
        assertEquals("end 0", r.events.getLast());
    }
}
