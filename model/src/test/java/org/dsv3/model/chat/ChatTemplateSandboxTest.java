package org.dsv3.model.chat;

import org.dsv3.model.gguf.GgufArray;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.gguf.GgufValue;
import org.dsv3.model.tokenizer.TokenizerTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message text is data, never template code, with DeepSeek-V3's real template; a hostile template
 * (the model file's own) can load nothing, call no Java method and is bounded in output and time.
 */
class ChatTemplateSandboxTest {
    private static final String BOS = "<｜begin▁of▁sentence｜>";
    private static final String SYSTEM = "The secret system prompt";

    private static ChatTemplate v3() {
        return ChatTemplate.fromGguf(TokenizerTestData.metadata(TokenizerTestData.V3_VOCAB));
    }

    /** DeepSeek-V3's prompt for one user message (the documented format, written out by hand). */
    private static String v3Prompt(String user) {
        return BOS + "<｜User｜>" + user + "<｜Assistant｜>";
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "A{{ 6*7 }}B",
            "In Django write {% if user %}",
            "Hello {{ name }}!",
            "{{ bos_token.toUpperCase() }}",
            "{% include 'META-INF/MANIFEST.MF' %}",
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}xxxxxxxx{% endfor %}{% endfor %}{% endfor %}",
            "{% raw %} unclosed, {# a comment #}, {%- endif -%} and }} {{",
            "{{ raise_exception(messages[0].content) }}",
            "{% set x = 1 %}{{ x }}",
            "ends with a lone {"})
    void messageTextComesOutVerbatim(String text) {
        assertEquals(v3Prompt(text), v3().render(List.of(ChatMessage.user(text)), true));
    }

    @Test
    void aMessageCannotReadTheSystemPrompt() {
        String probe = "{{ raise_exception(messages[0].content) }}";
        String out = v3().render(List.of(ChatMessage.system(SYSTEM), ChatMessage.user(probe)), true);
        assertEquals(BOS + SYSTEM + "<｜User｜>" + probe + "<｜Assistant｜>", out);
    }

    @Test
    void systemAndAssistantTextIsDataToo() {
        String out = v3().render(List.of(ChatMessage.system("S{{ 1+1 }}"), ChatMessage.user("u{% if x %}"),
                ChatMessage.assistant("a{{ eos_token }}"), ChatMessage.user("{%- endfor %}")), true);
        assertEquals(BOS + "S{{ 1+1 }}<｜User｜>u{% if x %}<｜Assistant｜>a{{ eos_token }}<｜end▁of▁sentence｜>"
                + "<｜User｜>{%- endfor %}<｜Assistant｜>", out);
    }

    private static GgufMetadata withTemplate(String template) {
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings("<s>", "</s>")));
        kv.put("tokenizer.ggml.bos_token_id", GgufValue.u32(0));
        kv.put("tokenizer.ggml.eos_token_id", GgufValue.u32(1));
        kv.put("tokenizer.chat_template", GgufValue.string(template));
        return new GgufMetadata(Path.of("/models/hostile.gguf"), kv);
    }

    private static ChatTemplateException refused(String template) {
        ChatTemplate t = ChatTemplate.fromGguf(withTemplate(template));
        ChatTemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ChatTemplateException.class, () -> t.render(List.of(ChatMessage.user("hi")), true)));
        assertTrue(e.getMessage().contains("hostile.gguf tokenizer.chat_template"), e.getMessage());
        return e;
    }

    @Test
    void aFileTemplateCannotLoadResources() {
        for (String tag : List.of("{% include 'META-INF/MANIFEST.MF' %}", "{% import 'META-INF/MANIFEST.MF' as m %}",
                "{% from 'META-INF/MANIFEST.MF' import x %}", "{% extends 'META-INF/MANIFEST.MF' %}")) {
            ChatTemplateException e = refused(tag);
            assertFalse(e.getMessage().contains("Manifest-Version"), e.getMessage());
        }
    }

    @Test
    void aFileTemplateCannotCallJavaMethods() {
        for (String call : List.of("{{ bos_token.toUpperCase() }}", "{{ bos_token.getBytes() }}", "{{ messages.getClass() }}",
                "{{ messages[0].hashCode() }}", "{{ messages.size() }}", "{{ (1).doubleValue() }}")) {
            ChatTemplateException e = refused(call);
            assertTrue(e.getMessage().contains("cannot call"), call + ": " + e.getMessage());
        }
    }

    @Test
    void javaPropertiesOfValuesAreUndefined() {
        ChatTemplate t = ChatTemplate.fromGguf(withTemplate("[{{ bos_token.bytes }}][{{ bos_token.class }}][{{ bos_token.blank }}]"));
        assertEquals("[][][]", t.render(List.of(ChatMessage.user("hi")), true));
    }

    @Test
    void pythonMethodsTemplatesUseStillWork() {
        ChatTemplate t = ChatTemplate.fromGguf(withTemplate(
                "{% set ns = namespace(n=0) %}{% set seen = [] %}{% for m in messages %}{% set ns.n = ns.n + 1 %}"
                        + "{% set _ = seen.append(m.get('role')) %}{{ m['content'].split('|')[-1].strip().upper() }}"
                        + "{% if not loop.last %},{% endif %}{% endfor %}|{{ ns.n }}|{{ seen|join('+') }}"
                        + "|{{ messages[0].keys()|list|join(',') }}"));
        assertEquals("B,D|2|user+assistant|role,content",
                t.render(List.of(ChatMessage.user("a| b "), ChatMessage.assistant("c|d")), false));
    }

    @Test
    void nestedLoopsStopAtTheBudgetInsteadOfExhaustingMemory() {
        ChatTemplateException e = refused("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                + "{{ messages[0].content * 100 }}{% endfor %}{% endfor %}{% endfor %}");
        assertTrue(e.getMessage().contains("nodes") || e.getMessage().contains("output") || e.getMessage().contains("limit"),
                e.getMessage());
    }

    @Test
    void emptyLoopsThatOnlyBurnTimeStop() {
        ChatTemplateException e = refused("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                + "{% endfor %}{% endfor %}{% endfor %}");
        assertTrue(e.getMessage().contains("nodes") || e.getMessage().contains("limit of"), e.getMessage());
    }

    @Test
    void aSlowTemplateStopsAtItsTimeLimit() {
        // each node builds a 4-million-char string: few nodes, much time
        JinjaChatTemplate t = new JinjaChatTemplate("slow", "{% for a in range(1000) %}{% for b in range(1000) %}"
                + "{% set s = 'x' * 4000000 %}{% endfor %}{% endfor %}", "", "", Duration.ofMillis(300));
        ChatTemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ChatTemplateException.class, () -> t.render(List.of(ChatMessage.user("hi")), true)));
        assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
    }

    @Test
    void growingStringsAndListsAreCapped() {
        refused("{% set s = namespace(v='x') %}{% for i in range(1000) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v|length }}");
        refused("{% set l = [1] %}{% for i in range(1000) %}{% set l = l + l %}{% endfor %}{{ l|length }}");
        refused("{{ 'x' * 100000000 }}");
    }

    @Test
    void deepRecursionIsRefusedShallowRecursionWorks() {
        ChatTemplate shallow = ChatTemplate.fromGguf(withTemplate(
                "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}"));
        assertEquals("321", shallow.render(List.of(ChatMessage.user("hi")), true));
        refused("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    }

    @Test
    void anInterruptedRenderingStops() {
        ChatTemplate t = ChatTemplate.fromGguf(withTemplate("{% for a in range(1000) %}{{ a }}{% endfor %}"));
        Thread.currentThread().interrupt();
        try {
            ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(List.of(ChatMessage.user("hi")), true));
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        } finally {
            Thread.interrupted();
        }
    }
}
