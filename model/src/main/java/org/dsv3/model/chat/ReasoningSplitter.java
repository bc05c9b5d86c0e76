package org.dsv3.model.chat;

/**
 * Separates an R1-style answer into its reasoning ({@code <think>…</think>}) and the content, while
 * the text streams in. Feed decoded text with {@link #push}; each call returns what can already be
 * attributed; {@link #finish} returns the rest. A tag split over several pushes is held back until
 * it is complete.
 *
 * <p>Rules: reasoning starts either at a {@code <think>} that opens the answer (after optional
 * whitespace) or right away when the prompt already ended with {@code <think>} (R1's updated
 * template forces it). It ends at the first {@code </think>}. Leading whitespace of the reasoning
 * and of the content after {@code </think>} is dropped. Everything else is content, tags included.
 * An answer that never closes its reasoning leaves everything in reasoning.
 *
 * <p>{@link #stripReasoning} is what the DeepSeek-R1 template does to earlier assistant turns: they
 * are fed back without their reasoning.
 */
public final class ReasoningSplitter {
    public static final String OPEN = "<think>";
    public static final String CLOSE = "</think>";

    /** Text attributed by one call: either part may be empty. */
    public record Delta(String reasoning, String content) {
        public boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    private enum State { START, REASONING, CONTENT }

    private State state;
    private boolean trimNext = true;
    private final StringBuilder held = new StringBuilder();
    private final StringBuilder allReasoning = new StringBuilder();
    private final StringBuilder allContent = new StringBuilder();

    /** @param promptOpenedReasoning the prompt ended with {@code <think>}, so the output starts inside the reasoning */
    public ReasoningSplitter(boolean promptOpenedReasoning) {
        state = promptOpenedReasoning ? State.REASONING : State.START;
    }

    public Delta push(String text) {
        held.append(text);
        return drain(false);
    }

    /** The text still held back (a partial tag is then plain text). */
    public Delta finish() {
        return drain(true);
    }

    /** All reasoning attributed so far. */
    public String reasoning() {
        return allReasoning.toString();
    }

    /** All content attributed so far. */
    public String content() {
        return allContent.toString();
    }

    private Delta drain(boolean end) {
        StringBuilder r = new StringBuilder();
        StringBuilder c = new StringBuilder();
        boolean progress = true;
        while (progress && !held.isEmpty()) {
            progress = false;
            switch (state) {
                case START -> {
                    int i = 0;
                    while (i < held.length() && Character.isWhitespace(held.charAt(i))) {
                        i++;
                    }
                    String rest = held.substring(i);
                    if (rest.startsWith(OPEN)) {
                        held.delete(0, i + OPEN.length());
                        state = State.REASONING;
                        trimNext = true;
                        progress = true;
                    } else if (!end && OPEN.startsWith(rest)) {
                        // only whitespace and maybe the start of "<think>" so far: wait
                    } else {
                        state = State.CONTENT;
                        trimNext = false;
                        progress = true;
                    }
                }
                case REASONING -> {
                    progress = emitUntil(CLOSE, r, end);
                    if (progress && state == State.REASONING) {
                        state = State.CONTENT;
                        trimNext = true;
                    }
                }
                case CONTENT -> {
                    if (trimNext) {
                        int i = 0;
                        while (i < held.length() && Character.isWhitespace(held.charAt(i))) {
                            i++;
                        }
                        held.delete(0, i);
                        if (held.isEmpty()) {
                            break;
                        }
                        trimNext = false;
                    }
                    c.append(held);
                    held.setLength(0);
                }
            }
        }
        if (end && !held.isEmpty()) { // unfinished START (whitespace / partial tag) or partial close tag
            (state == State.REASONING ? r : c).append(held);
            held.setLength(0);
        }
        allReasoning.append(r);
        allContent.append(c);
        return new Delta(r.toString(), c.toString());
    }

    /**
     * Moves held text to {@code out} up to {@code tag}; returns true when the tag was found (and
     * consumed). A suffix that could be the start of the tag stays held unless at the end.
     */
    private boolean emitUntil(String tag, StringBuilder out, boolean end) {
        if (trimNext) {
            int i = 0;
            while (i < held.length() && Character.isWhitespace(held.charAt(i))) {
                i++;
            }
            held.delete(0, i);
            if (!held.isEmpty()) {
                trimNext = false;
            }
        }
        int at = held.indexOf(tag);
        if (at >= 0) {
            out.append(held, 0, at);
            held.delete(0, at + tag.length());
            return true;
        }
        int keep = end ? 0 : partialSuffix(held, tag);
        out.append(held, 0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return false;
    }

    /** Length of the longest suffix of {@code s} that is a proper prefix of {@code tag}. */
    private static int partialSuffix(CharSequence s, String tag) {
        for (int k = Math.min(tag.length() - 1, s.length()); k > 0; k--) {
            boolean match = true;
            for (int j = 0; j < k; j++) {
                if (s.charAt(s.length() - k + j) != tag.charAt(j)) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return k;
            }
        }
        return 0;
    }

    /** An assistant message as it is fed back in later turns: the text after the last {@code </think>}. */
    public static String stripReasoning(String assistantText) {
        int at = assistantText.lastIndexOf(CLOSE);
        return at < 0 ? assistantText : assistantText.substring(at + CLOSE.length());
    }
}
