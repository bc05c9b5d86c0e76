package org.dsv3.runner.generate;

import java.util.Locale;

/**
 * How a generation went.
 *
 * @param promptTokens     tokens in the prompt
 * @param cachedTokens     of those, how many were already in the KV cache (reused, not computed)
 * @param promptNanos      time spent processing the rest of the prompt
 * @param generatedTokens  tokens generated (an end-of-generation token is not counted)
 * @param generateNanos    time from the end of the prompt to the end of the generation
 * @param firstTokenNanos  time from the start to the first generated token; 0 when there was none
 */
public record GenerationStats(int promptTokens, int cachedTokens, long promptNanos, int generatedTokens,
                              long generateNanos, long firstTokenNanos) {

    /** Both generations' counts and times added up (the first token's time is this one's). */
    public GenerationStats plus(GenerationStats o) {
        return new GenerationStats(promptTokens + o.promptTokens, cachedTokens + o.cachedTokens, promptNanos + o.promptNanos,
                generatedTokens + o.generatedTokens, generateNanos + o.generateNanos,
                firstTokenNanos != 0 ? firstTokenNanos : o.firstTokenNanos);
    }

    /** Prompt tokens computed per second (cached ones excluded). */
    public double promptTokensPerSecond() {
        return rate(promptTokens - cachedTokens, promptNanos);
    }

    public double generatedTokensPerSecond() {
        return rate(generatedTokens, generateNanos);
    }

    private static double rate(int tokens, long nanos) {
        return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
    }

    /** One line for people, e.g. {@code prompt 12 tokens (40.1 t/s), generated 30 tokens (9.8 t/s), first token 0.31 s}. */
    public String summary() {
        String cached = cachedTokens > 0 ? ", " + cachedTokens + " cached" : "";
        return String.format(Locale.ROOT, "prompt %d tokens%s (%.1f t/s), generated %d tokens (%.1f t/s), first token %.2f s",
                promptTokens, cached, promptTokensPerSecond(), generatedTokens, generatedTokensPerSecond(),
                firstTokenNanos / 1e9);
    }
}
