package org.dsv3.model.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceNotFoundException;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face style Jinja chat template, rendered with Jinjava in the settings transformers
 * uses ({@code trim_blocks}, {@code lstrip_blocks}). The context holds {@code messages} (maps with
 * {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token}, and the functions {@code raise_exception(message)} and
 * {@code strftime_now(format)}; Python's string methods ({@code split}, {@code strip},
 * {@code startswith}, ...) work on strings as templates expect ({@link PythonStringMethods}).
 *
 * <p>The template is code from the model file; the messages are data from whoever sends them.
 * So the text of a message is never interpreted again (Jinjava's nested interpretation is off:
 * {@code {{ 6*7 }}} in a message stays those characters), the template can load nothing
 * ({@code include}, {@code import}, {@code from}, {@code extends} are disabled and the resource
 * locator refuses every name), call no Java method and read no Java property on a value
 * ({@link SandboxResolver}), and one rendering is bounded in output size, string, list and dict
 * sizes, nesting depth, time and the number of nodes rendered ({@link RenderBudget}).
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final String name;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;
    private final Duration timeLimit;
    private volatile Boolean rendersBos;

    /** The longest prompt text a template may write, in chars (far beyond any model's context). */
    static final long MAX_OUTPUT_CHARS = 8L << 20;
    /** The most entries a list or dict built by a template may hold. */
    static final int MAX_COLLECTION = 100_000;
    /** The most template nodes one rendering may run: a few per message, so this is generous. */
    static final long MAX_NODES = 2_000_000;
    /** How long one rendering may take. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(2);
    /** How deep a macro may call itself. */
    static final int MAX_MACRO_DEPTH = 50;
    private static final Set<String> LOADING_TAGS = Set.of("include", "import", "from", "extends");

    /** Raised by the template's {@code raise_exception(message)}. */
    static final class RaisedByTemplate extends RuntimeException {
        RaisedByTemplate(String message) {
            super(message);
        }
    }

    public JinjaChatTemplate(String name, String source, String bosToken, String eosToken) {
        this(name, source, bosToken, eosToken, DEFAULT_TIME_LIMIT);
    }

    /** @param timeLimit how long one rendering may take */
    public JinjaChatTemplate(String name, String source, String bosToken, String eosToken, Duration timeLimit) {
        this.name = name;
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.timeLimit = timeLimit;
        jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false)
                .withElResolver(new SandboxResolver(JinjavaConfig.newBuilder().build().getElResolver()))
                .withDisabled(Map.of(Context.Library.TAG, LOADING_TAGS))
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withMaxListSize(MAX_COLLECTION)
                .withMaxMapSize(MAX_COLLECTION)
                .withMaxRenderDepth(10)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(MAX_MACRO_DEPTH)
                .withProcessors(JinjavaProcessors.newBuilder()
                        .withNodePreProcessor((node, interpreter) -> RenderBudget.stepCurrent()).build())
                .build());
        jinjava.setResourceLocator((file, charset, interpreter) -> {
            throw new ResourceNotFoundException("chat templates cannot load other files: " + file);
        });
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
        return render(messages, addGenerationPrompt, List.of());
    }

    private static final java.util.regex.Pattern TOOLS_VARIABLE = java.util.regex.Pattern.compile("\\btools\\b");

    /** Whether the template source reads a variable {@code tools} (DeepSeek-V3's does not: it renders only calls and results). */
    @Override
    public boolean rendersTools() {
        return TOOLS_VARIABLE.matcher(source).find();
    }

    /**
     * An assistant message with tool calls and no text has {@code content} none, as in OpenAI's
     * messages (DeepSeek-V3's template tells the two kinds apart by that); its calls are
     * {@code tool_calls} entries {@code {id, type: "function", function: {name, arguments}}}. A tool
     * message has {@code tool_call_id}. {@code tools} is set only when there are some.
     */
    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
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
            map.put("content", m.toolCalls().isEmpty() || !m.content().isEmpty() ? m.content() : null);
            if (!m.toolCalls().isEmpty()) {
                List<Map<String, Object>> calls = new ArrayList<>();
                for (ToolCall c : m.toolCalls()) {
                    Map<String, Object> function = new LinkedHashMap<>();
                    function.put("name", c.name());
                    function.put("arguments", c.arguments());
                    Map<String, Object> call = new LinkedHashMap<>();
                    call.put("id", c.id());
                    call.put("type", "function");
                    call.put("function", function);
                    calls.add(call);
                }
                map.put("tool_calls", calls);
            }
            if (m.toolCallId() != null) {
                map.put("tool_call_id", m.toolCallId());
            }
            msgs.add(map);
        }
        Map<String, Object> ctx = new HashMap<>();
        if (tools != null && !tools.isEmpty()) {
            ctx.put("tools", tools);
        }
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        RenderBudget budget = new RenderBudget(timeLimit, MAX_NODES);
        RenderResult result;
        try {
            result = budget.apply(() -> jinjava.renderForResult(source, ctx));
        } catch (RuntimeException | StackOverflowError e) {
            throw new ChatTemplateException(name, budget.spent() != null ? budget.spent() : describe(e), e);
        }
        if (budget.spent() != null) {
            throw new ChatTemplateException(name, budget.spent());
        }
        for (TemplateError err : result.getErrors()) {
            if (err.getSeverity() == TemplateError.ErrorType.FATAL
                    || err.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG
                    || err.getReason() == TemplateError.ErrorReason.COLLECTION_TOO_BIG
                    || err.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED) {
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

    private static String describe(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "the template nests too deeply";
        }
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
