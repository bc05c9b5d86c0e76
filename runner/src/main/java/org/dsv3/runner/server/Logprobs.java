package org.dsv3.runner.server;

import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.tokenizer.StreamingDecoder;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.generate.TokenObserver;

/**
 * Collects the log-probabilities a request asked for ({@code logprobs}, {@code top_logprobs}, and
 * with {@code echo} those of the prompt): for each token, {@code ln softmax(row)[token]} and the
 * {@code top} most likely tokens of the same row, where the row is what {@link TokenObserver} is
 * shown (temperature 1; for generated tokens the adjusted logits the sampler drew from). Entries
 * are kept in order; a stream takes them piece by piece with {@link #drain}.
 */
final class Logprobs implements TokenObserver {
    /** The most alternatives per token a request may ask for. */
    static final int MAX_TOP = 20;

    /** One alternative: a token id and its log-probability. */
    record Choice(int token, double logprob) {
    }

    /**
     * One listed token.
     *
     * @param logprob {@code null} for a prompt's first token (nothing comes before it)
     * @param top     the most likely tokens, best first; {@code null} with a null logprob
     * @param offset  the characters of the answer's text before this token
     */
    record Entry(int token, Double logprob, List<Choice> top, int offset, boolean prompt) {
    }

    private final Tokenizer tokenizer;
    private final int top;
    private final List<Entry> entries = new ArrayList<>();
    private final StreamingDecoder text;
    private int chars;
    private int sent;
    private int promptFrom = -1;

    /** {@code top}: alternatives per token, 0..{@value #MAX_TOP}. */
    Logprobs(Tokenizer tokenizer, int top) {
        this.tokenizer = tokenizer;
        this.top = top;
        this.text = tokenizer.streamingDecoder();
    }

    /**
     * Lists the prompt too ({@code echo}), from its token {@code from} on (1 skips a BOS the server
     * added, whose text is not echoed); the first listed token has a null log-probability only when it
     * is the prompt's very first.
     */
    void withPrompt(int[] prompt, int from) {
        promptFrom = from;
        if (from == 0) {
            add(prompt[0], null, null, true);
        }
    }

    @Override
    public boolean wantsPromptLogits() {
        return promptFrom >= 0;
    }

    @Override
    public void prompt(int position, float[] logits, int next) {
        if (position + 1 >= promptFrom) {
            add(next, logprob(logits, next), top(logits), true);
        }
    }

    @Override
    public void sampled(int token, float[] logits) {
        add(token, logprob(logits, token), top(logits), false);
    }

    private void add(int token, Double logprob, List<Choice> alternatives, boolean prompt) {
        entries.add(new Entry(token, logprob, alternatives, chars, prompt));
        chars += text.push(token).length();
    }

    /** Every entry so far. */
    List<Entry> all() {
        sent = entries.size();
        return List.copyOf(entries);
    }

    /** The entries not yet drained. */
    List<Entry> drain() {
        List<Entry> out = List.copyOf(entries.subList(sent, entries.size()));
        sent = entries.size();
        return out;
    }

    /** The prompt's entries not yet drained (the echo's piece of a stream). */
    List<Entry> drainPrompt() {
        int end = sent;
        while (end < entries.size() && entries.get(end).prompt()) {
            end++;
        }
        List<Entry> out = List.copyOf(entries.subList(sent, end));
        sent = end;
        return out;
    }

    /** The text a token stands for (a piece of a multi-byte character shows as U+FFFD; see {@link #bytes}). */
    String text(int token) {
        return new String(tokenizer.tokenPiece(token), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The bytes a token stands for, as OpenAI lists them (each 0..255). */
    int[] bytes(int token) {
        byte[] b = tokenizer.tokenPiece(token);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }

    /** {@code ln(e^l[t] / Σ e^l[i])}, computed as {@code l[t] − max − ln Σ e^(l[i] − max)}. */
    static double logprob(float[] logits, int token) {
        return logits[token] - logSumExp(logits);
    }

    static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max); // a banned token (−∞) adds 0
        }
        return max + Math.log(sum);
    }

    /** The {@code top} most likely tokens with a finite log-probability, best first, ties to the lower id. */
    private List<Choice> top(float[] logits) {
        if (top == 0) {
            return List.of();
        }
        int[] best = new int[top];
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] == Float.NEGATIVE_INFINITY || (n == top && logits[i] <= logits[best[n - 1]])) {
                continue;
            }
            int at = n < top ? n++ : n - 1; // the last place is taken over when the list is full
            while (at > 0 && logits[best[at - 1]] < logits[i]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        double lse = logSumExp(logits);
        List<Choice> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Choice(best[i], logits[best[i]] - lse));
        }
        return out;
    }
}
