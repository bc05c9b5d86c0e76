package org.dsv3.model.chat;

import java.util.List;

/**
 * DeepSeek-V3's tool-call markup, as its chat template writes calls into the prompt and the model
 * writes them in its answers (each marker is one special token of the DeepSeek vocabulary):
 * <pre>
 * &lt;｜tool▁calls▁begin｜&gt;&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME
 * ```json
 * ARGUMENTS
 * ```&lt;｜tool▁call▁end｜&gt;
 * &lt;｜tool▁call▁begin｜&gt;…&lt;｜tool▁call▁end｜&gt;&lt;｜tool▁calls▁end｜&gt;
 * </pre>
 * Tool results go back as {@code <｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>…<｜tool▁output▁end｜>…<｜tool▁outputs▁end｜>}.
 */
public final class DeepSeekToolCalls {
    public static final String CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
    public static final String CALLS_END = "<｜tool▁calls▁end｜>";
    public static final String CALL_BEGIN = "<｜tool▁call▁begin｜>";
    public static final String CALL_END = "<｜tool▁call▁end｜>";
    public static final String SEP = "<｜tool▁sep｜>";
    /** Every marker a vocabulary must hold for tool calls to work. */
    public static final List<String> MARKERS = List.of(CALLS_BEGIN, CALLS_END, CALL_BEGIN, CALL_END, SEP);

    private DeepSeekToolCalls() {
    }

    /** One call as the template writes it: begin marker, type, separator, name, the arguments in a json fence, end marker. */
    public static String call(String name, String arguments) {
        return CALL_BEGIN + "function" + SEP + name + "\n```json\n" + arguments + "\n```" + CALL_END;
    }

    /** A block of calls, one per line, framed by the calls markers. */
    public static String calls(List<ToolCall> calls) {
        StringBuilder sb = new StringBuilder(CALLS_BEGIN);
        for (int i = 0; i < calls.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(call(calls.get(i).name(), calls.get(i).arguments()));
        }
        return sb.append(CALLS_END).toString();
    }
}
