package org.dsv3.runner.generate;

import static org.dsv3.model.chat.DeepSeekToolCalls.CALLS_BEGIN;
import static org.dsv3.model.chat.DeepSeekToolCalls.CALLS_END;
import static org.dsv3.model.chat.DeepSeekToolCalls.CALL_BEGIN;
import static org.dsv3.model.chat.DeepSeekToolCalls.CALL_END;
import static org.dsv3.model.chat.DeepSeekToolCalls.SEP;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads DeepSeek-V3's tool-call markup ({@link org.dsv3.model.chat.DeepSeekToolCalls}) out of an
 * answer as it streams, and tells a {@link Listener} what is plain text and what is a call: its
 * start with the function name, its arguments piece by piece, its end. The json fence around the
 * arguments is taken off. Text that could still become a marker is held back until it is clear;
 * {@link #finish()} lets go of it (a call left open by the end of the answer ends there).
 * Lenient as the template itself is: a call may begin without the calls marker around it.
 */
public final class ToolCallParser {

    /** What the answer holds, in order. */
    public interface Listener {
        void content(String text);

        void callStart(int index, String name);

        void arguments(int index, String piece);

        void callEnd(int index);
    }

    private enum State { CONTENT, BETWEEN_CALLS, TYPE, NAME, FENCE, ARGUMENTS }

    private final Listener listener;
    private final StringBuilder pending = new StringBuilder();
    private State state = State.CONTENT;
    private int calls;

    public ToolCallParser(Listener listener) {
        this.listener = listener;
    }

    /** How many calls have started so far. */
    public int calls() {
        return calls;
    }

    public void push(String text) {
        pending.append(text);
        boolean progress = true;
        while (progress) {
            progress = step(false);
        }
    }

    /** The answer is over: passes on what was held back. */
    public void finish() {
        while (step(true)) {
            // each step consumes something
        }
        if (state == State.ARGUMENTS || state == State.FENCE || state == State.NAME || state == State.TYPE) {
            if (state == State.NAME) {
                listener.callStart(calls++, pending.toString().strip());
            } else if (state == State.TYPE) {
                listener.callStart(calls++, "");
            } else if (state == State.ARGUMENTS) {
                String rest = stripClosingFence(pending.toString());
                if (!rest.isEmpty()) {
                    listener.arguments(calls - 1, rest);
                }
            }
            listener.callEnd(calls - 1);
        } else if (state == State.CONTENT && !pending.isEmpty()) {
            listener.content(pending.toString());
        }
        pending.setLength(0);
        state = State.CONTENT;
    }

    /** One move of the state machine; false when it must wait for more text. */
    private boolean step(boolean atEnd) {
        switch (state) {
            case CONTENT -> {
                int a = pending.indexOf(CALLS_BEGIN);
                int b = pending.indexOf(CALL_BEGIN);
                int at = a < 0 ? b : b < 0 ? a : Math.min(a, b);
                if (at >= 0) {
                    emitContent(at);
                    boolean block = at == a;
                    pending.delete(0, block ? CALLS_BEGIN.length() : CALL_BEGIN.length());
                    state = block ? State.BETWEEN_CALLS : State.TYPE;
                    return true;
                }
                int keep = atEnd ? 0 : partialMarkerAtEnd(pending, CALLS_BEGIN, CALL_BEGIN);
                emitContent(pending.length() - keep);
                return false;
            }
            case BETWEEN_CALLS -> {
                int lead = leadingWhitespace(pending);
                pending.delete(0, lead);
                if (startsWith(pending, CALL_BEGIN)) {
                    pending.delete(0, CALL_BEGIN.length());
                    state = State.TYPE;
                    return true;
                }
                if (startsWith(pending, CALLS_END)) {
                    pending.delete(0, CALLS_END.length());
                    state = State.CONTENT;
                    return true;
                }
                if (pending.isEmpty() || (!atEnd && (CALL_BEGIN.startsWith(pending.toString()) || CALLS_END.startsWith(pending.toString())))) {
                    return false;
                }
                state = State.CONTENT; // not markup after all: the rest is text
                return true;
            }
            case TYPE -> {
                int sep = pending.indexOf(SEP);
                if (sep < 0) {
                    return false;
                }
                pending.delete(0, sep + SEP.length()); // the type: DeepSeek writes "function"
                state = State.NAME;
                return true;
            }
            case NAME -> {
                int nl = pending.indexOf("\n");
                int end = pending.indexOf(CALL_END);
                if (end >= 0 && (nl < 0 || end < nl)) {
                    listener.callStart(calls++, pending.substring(0, end).strip());
                    pending.delete(0, end + CALL_END.length());
                    listener.callEnd(calls - 1);
                    state = State.BETWEEN_CALLS;
                    return true;
                }
                if (nl < 0) {
                    return false;
                }
                listener.callStart(calls++, pending.substring(0, nl).strip());
                pending.delete(0, nl + 1);
                state = State.FENCE;
                return true;
            }
            case FENCE -> {
                pending.delete(0, leadingWhitespace(pending));
                if (startsWith(pending, "```")) {
                    int nl = pending.indexOf("\n");
                    int end = pending.indexOf(CALL_END);
                    if (end >= 0 && (nl < 0 || end < nl)) {
                        pending.delete(0, end); // a fence and no arguments
                        state = State.ARGUMENTS;
                        return true;
                    }
                    if (nl < 0) {
                        if (atEnd) {
                            pending.setLength(0);
                            state = State.ARGUMENTS;
                        }
                        return false;
                    }
                    pending.delete(0, nl + 1); // ```json and its line
                    state = State.ARGUMENTS;
                    return true;
                }
                if (pending.isEmpty() || (!atEnd && "```".startsWith(pending.toString()))) {
                    return false;
                }
                state = State.ARGUMENTS; // arguments without a fence
                return true;
            }
            case ARGUMENTS -> {
                int end = pending.indexOf(CALL_END);
                if (end >= 0) {
                    String rest = stripClosingFence(pending.substring(0, end));
                    if (!rest.isEmpty()) {
                        listener.arguments(calls - 1, rest);
                    }
                    pending.delete(0, end + CALL_END.length());
                    listener.callEnd(calls - 1);
                    state = State.BETWEEN_CALLS;
                    return true;
                }
                if (atEnd) {
                    return false; // finish() passes the rest on
                }
                // hold back what may be the closing fence (whitespace, backticks) and a partial end marker
                int keepFrom = pending.length() - partialMarkerAtEnd(pending, CALL_END);
                while (keepFrom > 0 && isFenceChar(pending.charAt(keepFrom - 1))) {
                    keepFrom--;
                }
                if (keepFrom > 0) {
                    listener.arguments(calls - 1, pending.substring(0, keepFrom));
                    pending.delete(0, keepFrom);
                }
                return false;
            }
        }
        return false;
    }

    private void emitContent(int upTo) {
        if (upTo > 0) {
            listener.content(pending.substring(0, upTo));
            pending.delete(0, upTo);
        }
    }

    private static boolean isFenceChar(char c) {
        return c == '`' || Character.isWhitespace(c);
    }

    /** The arguments without the fence that closes them: trailing whitespace and backticks. */
    private static String stripClosingFence(String s) {
        int end = s.length();
        while (end > 0 && isFenceChar(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** The length of the longest end of {@code s} that is a proper beginning of one of the markers. */
    static int partialMarkerAtEnd(CharSequence s, String... markers) {
        int best = 0;
        for (String m : markers) {
            for (int k = Math.min(m.length() - 1, s.length()); k > best; k--) {
                if (m.regionMatches(0, s.toString(), s.length() - k, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    private static int leadingWhitespace(CharSequence s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean startsWith(StringBuilder sb, String prefix) {
        return sb.length() >= prefix.length() && sb.substring(0, prefix.length()).equals(prefix);
    }

    /** A whole answer's content and calls, for answers that are not streamed. */
    public static final class Collected implements Listener {
        public record Call(String name, String arguments) {
        }

        private final StringBuilder content = new StringBuilder();
        private final List<String> names = new ArrayList<>();
        private final List<StringBuilder> arguments = new ArrayList<>();

        @Override
        public void content(String text) {
            content.append(text);
        }

        @Override
        public void callStart(int index, String name) {
            names.add(name);
            arguments.add(new StringBuilder());
        }

        @Override
        public void arguments(int index, String piece) {
            arguments.get(index).append(piece);
        }

        @Override
        public void callEnd(int index) {
        }

        public String content() {
            return content.toString();
        }

        public List<Call> calls() {
            List<Call> out = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                out.add(new Call(names.get(i), arguments.get(i).toString()));
            }
            return out;
        }
    }
}
