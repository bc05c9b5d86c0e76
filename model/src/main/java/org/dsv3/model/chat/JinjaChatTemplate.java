package org.dsv3.model.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face style Jinja chat template, rendered with Jinjava in the settings transformers
 * uses ({@code trim_blocks}, {@code lstrip_blocks}). The context holds {@code messages} (maps with
 * {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token}, and the functions {@code raise_exception(message)} and
 * {@code strftime_now(format)}; Python's string methods ({@code split}, {@code strip},
 * {@code startswith}, ...) work on strings as templates expect ({@link PythonStringMethods}).
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final String name;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;
    private volatile Boolean rendersBos;

    /** Raised by the template's {@code raise_exception(message)}. */
    static final class RaisedByTemplate extends RuntimeException {
        RaisedByTemplate(String message) {
            super(message);
        }
    }

    public JinjaChatTemplate(String name, String source, String bosToken, String eosToken) {
        this.name = name;
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaConfig.newBuilder().build().getElResolver());
        jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                JinjaChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                JinjaChatTemplate.class, "strftimeNow", String.class));
    }

    /** {@code raise_exception(message)} in templates. */
    public static String raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    /** {@code strftime_now(format)} in templates: the local time, for the common % directives. */
    public static String strftimeNow(String format) {
        LocalDateTime now = LocalDateTime.now();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'Y' -> "yyyy";
                case 'm' -> "MM";
                case 'd' -> "dd";
                case 'H' -> "HH";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'y' -> "yy";
                default -> null;
            };
            if (pattern != null) {
                sb.append(now.format(DateTimeFormatter.ofPattern(pattern, java.util.Locale.ROOT)));
            } else if (d == '%') {
                sb.append('%');
            } else {
                sb.append('%').append(d);
            }
        }
        return sb.toString();
    }

    @Override
    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /**
     * The filters the template applies that Jinjava lacks. Jinjava renders an unknown filter as an
     * empty string without any error, where Python's Jinja refuses the template: a prompt would be
     * silently wrong, so such templates are refused instead.
     */
    List<String> unknownFilters() {
        List<String> unknown = new ArrayList<>();
        for (String f : filterNames(source)) {
            if (jinjava.getGlobalContext().getFilter(f) == null && !unknown.contains(f)) {
                unknown.add(f);
            }
        }
        return unknown;
    }

    /** Names after a {@code |} inside {@code {{ }}} and {@code {% %}} blocks, string literals skipped. */
    static List<String> filterNames(String src) {
        List<String> names = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = src.indexOf('{', i);
            if (open < 0 || open + 1 >= src.length()) {
                break;
            }
            char kind = src.charAt(open + 1);
            if (kind != '{' && kind != '%') {
                i = open + 1;
                continue;
            }
            String close = kind == '{' ? "}}" : "%}";
            int j = open + 2;
            while (j < src.length() && !src.startsWith(close, j)) {
                char c = src.charAt(j);
                if (c == '\'' || c == '"') { // skip a string literal
                    j++;
                    while (j < src.length() && src.charAt(j) != c) {
                        j += src.charAt(j) == '\\' ? 2 : 1;
                    }
                    j++;
                } else if (c == '|') {
                    int k = j + 1;
                    while (k < src.length() && Character.isWhitespace(src.charAt(k))) {
                        k++;
                    }
                    int start = k;
                    while (k < src.length() && (Character.isLetterOrDigit(src.charAt(k)) || src.charAt(k) == '_')) {
                        k++;
                    }
                    if (k > start) {
                        names.add(src.substring(start, k));
                    }
                    j = k;
                } else {
                    j++;
                }
            }
            i = j + 2;
        }
        return names;
    }

    private volatile boolean filtersChecked;

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (!filtersChecked) {
            List<String> unknown = unknownFilters();
            if (!unknown.isEmpty()) {
                throw new ChatTemplateException(name, "uses filter(s) " + String.join(", ", unknown)
                        + " that the Jinja engine (Jinjava) does not provide; it would render them as empty text");
            }
            filtersChecked = true;
        }
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : ChatTemplate.withoutReasoning(messages)) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        RenderResult result;
        try {
            result = jinjava.renderForResult(source, ctx);
        } catch (RuntimeException e) {
            throw new ChatTemplateException(name, describe(e), e);
        }
        for (TemplateError err : result.getErrors()) {
            if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(name, describe(err));
            }
        }
        return result.getOutput();
    }

    private static String describe(TemplateError err) {
        RaisedByTemplate raised = findRaised(err.getException());
        String where = err.getLineno() > 0 ? " (line " + err.getLineno() + ")" : "";
        if (raised != null) {
            return "the template raised an exception: " + raised.getMessage() + where;
        }
        String field = err.getFieldName() == null || err.getFieldName().isEmpty() ? "" : " in '" + err.getFieldName() + "'";
        return err.getMessage() + field + where;
    }

    private static String describe(RuntimeException e) {
        RaisedByTemplate raised = findRaised(e);
        return raised != null ? "the template raised an exception: " + raised.getMessage() : String.valueOf(e.getMessage());
    }

    private static RaisedByTemplate findRaised(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof RaisedByTemplate r) {
                return r;
            }
        }
        return null;
    }

    @Override
    public boolean rendersBos() {
        Boolean r = rendersBos;
        if (r == null) {
            if (bosToken.isEmpty()) {
                r = false;
            } else {
                try {
                    r = render(List.of(ChatMessage.user("Hi")), true).startsWith(bosToken);
                } catch (ChatTemplateException e) {
                    r = source.contains("bos_token");
                }
            }
            rendersBos = r;
        }
        return r;
    }
}
