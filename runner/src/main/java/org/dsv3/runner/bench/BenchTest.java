package org.dsv3.runner.bench;

/**
 * One llama-bench test: {@code ppP} (a prompt of P tokens in batches), {@code tgN} (N tokens
 * generated one at a time) or {@code ppP+tgN} (both, timed together), each after {@code depth}
 * tokens are already in the cache (computed, not timed), named {@code pp512 @ d4096} then.
 */
public record BenchTest(int nPrompt, int nGen, int depth) {
    public BenchTest {
        if (nPrompt < 0 || nGen < 0 || depth < 0 || nPrompt + nGen == 0) {
            throw new IllegalArgumentException("a test needs prompt or generated tokens, got pp" + nPrompt + " tg" + nGen
                    + " d" + depth);
        }
    }

    /** llama-bench's name: {@code pp512}, {@code tg128}, {@code pp512+tg128}, with {@code  @ d512} for a depth. */
    public String name() {
        String base = nGen == 0 ? "pp" + nPrompt : nPrompt == 0 ? "tg" + nGen : "pp" + nPrompt + "+tg" + nGen;
        return depth > 0 ? base + " @ d" + depth : base;
    }

    /** Tokens that count towards tokens/s: prompt plus generated. */
    public int timedTokens() {
        return nPrompt + nGen;
    }

    /** Positions the session must hold. */
    public int contextNeeded() {
        return depth + nPrompt + nGen;
    }
}
