package org.dsv3.model.chat;

import org.dsv3.model.gguf.GgufArray;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufValue;
import org.dsv3.model.gguf.GgufValueType;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.model.tokenizer.TokenizerTestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatTemplateTest {
    private static final String BOS = "<｜begin▁of▁sentence｜>";
    private static final String EOS = "<｜end▁of▁sentence｜>";

    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are helpful."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
            ChatMessage.user("2+2?"));

    @Test
    void builtinDeepSeekV3MatchesTheDocumentedExample() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V3, BOS, EOS);
        assertEquals("<｜begin▁of▁sentence｜>You are helpful.<｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>",
                t.render(CONVERSATION, true));
        assertTrue(t.rendersBos());
    }

    @Test
    void builtinDeepSeekV3WritesToolCallsInDeepSeeksMarkup() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V3, BOS, EOS);
        List<ChatMessage> msgs = List.of(ChatMessage.user("Weather?"),
                new ChatMessage("assistant", "", List.of(new ToolCall("c1", "get_weather", "{\"city\": \"Paris\"}"),
                        new ToolCall("c2", "get_time", "{}")), null),
                new ChatMessage("tool", "sunny", List.of(), "c1"), new ChatMessage("tool", "noon", List.of(), "c2"));
        assertEquals(BOS + "<｜User｜>Weather?<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n"
                + "```json\n{\"city\": \"Paris\"}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n{}\n```"
                + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>" + EOS
                + "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>sunny<｜tool▁output▁end｜>\n<｜tool▁output▁begin｜>noon<｜tool▁output▁end｜>"
                + "<｜tool▁outputs▁end｜>", t.render(msgs, true));
    }

    @Test
    void aJinjaTemplateThatReadsToolsGetsThemAndOneThatDoesNotSaysSo() {
        var reads = new JinjaChatTemplate("test", "{% for t in tools %}[{{ t['function']['name'] }}]{% endfor %}"
                + "{% for m in messages %}{{ m['role'] }}:{{ m['content'] }}{% if m['content'] is none %}none{% endif %}"
                + "{% for c in m['tool_calls'] %}({{ c['id'] }} {{ c['function']['name'] }} {{ c['function']['arguments'] }}){% endfor %}"
                + "{% if m['tool_call_id'] %}<{{ m['tool_call_id'] }}>{% endif %};{% endfor %}", BOS, EOS);
        assertTrue(reads.rendersTools());
        List<Map<String, Object>> tools = List.of(Map.of("type", "function", "function", Map.of("name", "f")));
        List<ChatMessage> msgs = List.of(new ChatMessage("assistant", "", List.of(new ToolCall("c1", "f", "{}")), null),
                new ChatMessage("tool", "ok", List.of(), "c1"));
        assertEquals("[f]assistant:none(c1 f {});tool:ok<c1>;", reads.render(msgs, false, tools));
        assertFalse(new JinjaChatTemplate("v3-like", "{% for m in messages %}{{ m['tool_calls'] }}{% endfor %}", BOS, EOS).rendersTools());
    }

    @Test
    void builtinDeepSeekR1OpensReasoningAndDropsOldReasoning() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_R1, BOS, EOS);
        String s = t.render(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("<think>\nhmm\n</think>\n\nHello!"),
                ChatMessage.user("2+2?")), true);
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜>\n\nHello!<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜><think>\n", s);
    }

    @Test
    void builtinDeepSeekV3ToolOutputs() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V3, BOS, EOS);
        String s = t.render(List.of(ChatMessage.user("weather?"), new ChatMessage("tool", "sunny"),
                new ChatMessage("tool", "22C"), ChatMessage.assistant("Sunny, 22C.")), false);
        assertEquals(BOS + "<｜User｜>weather?<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>sunny<｜tool▁output▁end｜>\n"
                + "<｜tool▁output▁begin｜>22C<｜tool▁output▁end｜><｜tool▁outputs▁end｜>Sunny, 22C." + EOS, s);
    }

    @Test
    void builtinDeepSeekV2() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V2, BOS, EOS);
        assertEquals(BOS + "You are helpful.\n\nUser: Hi\n\nAssistant: Hello!" + EOS + "User: 2+2?\n\nAssistant:",
                t.render(CONVERSATION, true));
        assertEquals(BOS + "User: Hi\n\n", t.render(List.of(ChatMessage.user("Hi")), false));
    }

    @Test
    void builtinKimiK2() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.KIMI_K2, "[BOS]", "[EOS]");
        assertEquals("<|im_system|>system<|im_middle|>You are helpful.<|im_end|><|im_user|>user<|im_middle|>Hi<|im_end|>"
                        + "<|im_assistant|>assistant<|im_middle|>Hello!<|im_end|><|im_user|>user<|im_middle|>2+2?<|im_end|>"
                        + "<|im_assistant|>assistant<|im_middle|>",
                t.render(CONVERSATION, true));
        assertFalse(t.rendersBos());
    }

    @Test
    void unknownRolesAreErrors() {
        var t = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V2, BOS, EOS);
        var e = assertThrows(ChatTemplateException.class, () -> t.render(List.of(new ChatMessage("tool", "x")), true));
        assertTrue(e.getMessage().contains("built-in deepseek-v2") && e.getMessage().contains("'tool'"), e.getMessage());
    }

    private static GgufMetadata vocabOnly(String template, String... tokens) {
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(tokens)));
        kv.put("tokenizer.ggml.bos_token_id", GgufValue.u32(0));
        kv.put("tokenizer.ggml.eos_token_id", GgufValue.u32(1));
        if (template != null) {
            kv.put("tokenizer.chat_template", GgufValue.string(template));
        }
        return new GgufMetadata(Path.of("/models/some-model.gguf"), kv);
    }

    @Test
    void filesWithoutTemplateGetTheBuiltinThatFitsTheirVocabulary() {
        ChatTemplate v3 = ChatTemplate.fromGguf(vocabOnly(null, BOS, EOS, "<｜User｜>", "<｜Assistant｜>"));
        assertEquals(BuiltinChatTemplate.Format.DEEPSEEK_V3, assertInstanceOf(BuiltinChatTemplate.class, v3).format());
        ChatTemplate v2 = ChatTemplate.fromGguf(vocabOnly(null, BOS, EOS, "x"));
        assertEquals(BuiltinChatTemplate.Format.DEEPSEEK_V2, ((BuiltinChatTemplate) v2).format());
        ChatTemplate kimi = ChatTemplate.fromGguf(vocabOnly(null, "[BOS]", "[EOS]", "<|im_user|>", "<|im_assistant|>", "<|im_middle|>", "<|im_end|>"));
        assertEquals(BuiltinChatTemplate.Format.KIMI_K2, ((BuiltinChatTemplate) kimi).format());
        var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.fromGguf(vocabOnly(null, "<s>", "</s>")));
        assertTrue(e.getMessage().contains("some-model.gguf") && e.getMessage().contains("no tokenizer.chat_template"), e.getMessage());
    }

    @Test
    void templateErrorsNameTheTemplateAndTheProblem() {
        ChatTemplate raising = ChatTemplate.fromGguf(vocabOnly(
                "{% for m in messages %}{% if m['role'] == 'tool' %}{{ raise_exception('tools are not supported') }}{% endif %}{{ m['content'] }}{% endfor %}",
                BOS, EOS));
        assertEquals("a", raising.render(List.of(ChatMessage.user("a")), false));
        var e = assertThrows(ChatTemplateException.class, () -> raising.render(List.of(new ChatMessage("tool", "x")), false));
        assertTrue(e.getMessage().contains("some-model.gguf tokenizer.chat_template"), e.getMessage());
        assertTrue(e.getMessage().contains("tools are not supported"), e.getMessage());

        ChatTemplate broken = ChatTemplate.fromGguf(vocabOnly("{% for m in messages %}{{ m['content'] }}", BOS, EOS));
        e = assertThrows(ChatTemplateException.class, () -> broken.render(List.of(ChatMessage.user("a")), false));
        assertTrue(e.getMessage().contains("some-model.gguf tokenizer.chat_template"), e.getMessage());
    }

    @Test
    void unknownFiltersAreRefusedNotRenderedEmpty() {
        assertEquals(List.of("trim", "nosuchfilter", "tojson"), JinjaChatTemplate.filterNames(
                "{{ '<|im_end|>' | trim }}{% set x = y|nosuchfilter %}\"|notafilter\"{{ \"a|b\" ~ z | tojson }}"));
        ChatTemplate t = new JinjaChatTemplate("odd.gguf tokenizer.chat_template",
                "{% for m in messages %}{{ '<|im_user|>' + m['content'] | nosuchfilter }}{% endfor %}", BOS, EOS);
        var e = assertThrows(ChatTemplateException.class, () -> t.render(List.of(ChatMessage.user("a")), false));
        assertTrue(e.getMessage().contains("odd.gguf") && e.getMessage().contains("nosuchfilter"), e.getMessage());
        ChatTemplate ok = new JinjaChatTemplate("ok", "{% for m in messages %}{{ '<|im_user|>' + m['content'] | trim }}{% endfor %}", BOS, EOS);
        assertEquals("<|im_user|>a", ok.render(List.of(ChatMessage.user(" a ")), false));
    }

    @Test
    void pythonStringMethodsBehaveLikePython() {
        String src = "{% set c = messages[0]['content'] %}"
                + "{{ c.split('</think>')[-1] }}|{{ c.split('</think>', 1)[1] }}|{{ c.rsplit('x', 1)[0] }}|"
                + "{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ ' a  b '.split() | length }}|{{ c.startswith('<think>') }}|"
                + "{{ 'Hello'.lower() }}{{ 'Hello'.upper() }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ '-'.join(['a', 'b']) }}|{{ 'hello world'.title() }}";
        ChatTemplate t = new JinjaChatTemplate("test", src, BOS, EOS);
        assertEquals("C|B</think>C|<think>A</think>B</think>C|a b|a|2|true|helloHELLO|bba|a-b|Hello World",
                t.render(List.of(ChatMessage.user("<think>A</think>B</think>C")), false));
    }

    @Test
    void anR1StyleTemplateRenders() {
        // the constructs of DeepSeek-R1's template: namespace, split on </think>, generation prompt with <think>
        String src = "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
                + "{% set ns = namespace(system_prompt='') %}{%- for message in messages %}{%- if message['role'] == 'system' %}"
                + "{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}{{ bos_token }}{{ ns.system_prompt }}"
                + "{%- for message in messages %}{%- if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}{%- endif %}"
                + "{%- if message['role'] == 'assistant' and message['content'] is not none %}{% set content = message['content'] %}"
                + "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
                + "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{%- endif %}{%- endfor -%}"
                + "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}";
        ChatTemplate t = new JinjaChatTemplate("r1", src, BOS, EOS);
        var r1 = new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_R1, BOS, EOS);
        List<ChatMessage> msgs = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("<think>greet</think>Hello!"), ChatMessage.user("2+2?"));
        assertEquals(r1.render(msgs, true), t.render(msgs, true));
        assertTrue(t.rendersBos());
    }

    @Test
    void bosExactlyOnceWhateverTheTemplate() {
        Tokenizer tok = TokenizerTestData.tokenizer(TokenizerTestData.V3_VOCAB);
        List<ChatMessage> msgs = List.of(ChatMessage.user("Hi"));
        for (ChatTemplate t : List.of(
                new BuiltinChatTemplate(BuiltinChatTemplate.Format.DEEPSEEK_V3, tok.bosText(), tok.eosText()),
                new JinjaChatTemplate("no-bos", "{% for m in messages %}<｜User｜>{{ m['content'] }}{% endfor %}", tok.bosText(), tok.eosText()),
                new JinjaChatTemplate("with-bos", "{{ bos_token }}{% for m in messages %}<｜User｜>{{ m['content'] }}{% endfor %}", tok.bosText(), tok.eosText()))) {
            int[] ids = ChatTemplate.encode(tok, t, msgs, false);
            assertEquals(tok.bosId(), ids[0], t.name());
            assertTrue(ids.length > 1 && ids[1] != tok.bosId(), t.name());
        }
        assertFalse(new JinjaChatTemplate("no-bos", "{% for m in messages %}{{ m['content'] }}{% endfor %}", BOS, EOS).rendersBos());
    }
}
