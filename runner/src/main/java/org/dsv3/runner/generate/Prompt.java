package org.dsv3.runner.generate;

/**
 * A tokenized prompt.
 *
 * @param tokens          the token ids
 * @param opensReasoning  the prompt ends inside an opened {@code <think>} block (R1's template
 *                        forces the reasoning to start), so the output begins with reasoning
 */
public record Prompt(int[] tokens, boolean opensReasoning) {
}
