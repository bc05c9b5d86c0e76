package org.dsv3.model.chat;

import com.fasterxml.jackson.databind.JsonNode;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.model.tokenizer.TokenizerTestData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DeepSeek-V3's own template, from its vocabulary file, against transformers' apply_chat_template. */
class ChatTemplateConformanceTest {

    static List<ChatMessage> messages(JsonNode c) {
        List<ChatMessage> msgs = new ArrayList<>();
        for (JsonNode m : c.get("messages")) {
            msgs.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return msgs;
    }

    @TestFactory
    Stream<DynamicTest> v3TemplateRendersEveryCase() {
        Tokenizer tok = TokenizerTestData.tokenizer(TokenizerTestData.V3_VOCAB);
        ChatTemplate tpl = ChatTemplate.fromGguf(TokenizerTestData.metadata(TokenizerTestData.V3_VOCAB));
        assertInstanceOf(JinjaChatTemplate.class, tpl);
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode c : TokenizerTestData.json("chat-template-cases.json")) {
            List<ChatMessage> msgs = messages(c);
            boolean gen = c.get("add_generation_prompt").asBoolean();
            String expected = c.get("rendered").asText();
            int[] ids = TokenizerTestData.ints(c.get("ids"));
            tests.add(DynamicTest.dynamicTest("case " + i++ + (gen ? " +gen" : ""), () -> {
                String rendered = tpl.render(msgs, gen);
                assertEquals(expected, rendered);
                assertArrayEquals(ids, tok.encode(rendered, true, false), () -> Arrays.toString(tok.encode(rendered, true, false)));
                int[] prompt = ChatTemplate.encode(tok, tpl, msgs, gen);
                assertArrayEquals(ids, prompt, "BOS exactly once");
                // the built-in V3 format is the same text for these conversations
                assertEquals(expected, new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V3,
                        tok.bosText(), tok.eosText()).render(msgs, gen));
            }));
        }
        return tests.stream();
    }

    @Test
    void v3TemplateWritesBos() {
        ChatTemplate tpl = ChatTemplate.fromGguf(TokenizerTestData.metadata(TokenizerTestData.V3_VOCAB));
        assertTrue(tpl.rendersBos());
        assertTrue(tpl.name().contains("deepseek-v3-vocab.gguf"), tpl.name());
    }

    @Test
    void earlierReasoningIsNotFedBack() {
        ChatTemplate tpl = ChatTemplate.fromGguf(TokenizerTestData.metadata(TokenizerTestData.V3_VOCAB));
        String text = tpl.render(List.of(ChatMessage.user("2+2?"),
                ChatMessage.assistant("<think>\nadd them\n</think>\n\n4"), ChatMessage.user("and 3+3?")), true);
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>\n\n4<｜end▁of▁sentence｜><｜User｜>and 3+3?<｜Assistant｜>", text);
    }
}
