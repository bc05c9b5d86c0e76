package org.dsv3.runner.generate;

/**
 * The outcome of one generation.
 *
 * @param text   everything generated, as streamed (a stop string cut off)
 * @param finish why it ended
 * @param stats  token counts and timings
 */
public record GenerationResult(String text, FinishReason finish, GenerationStats stats) {
}
