package org.dsv3.runner.generate;

import java.util.List;
import org.dsv3.model.sampling.SamplerSettings;

/**
 * What to generate.
 *
 * @param sampler   how tokens are chosen
 * @param maxTokens most tokens to generate; 0 = until the end of generation or a full context
 * @param stop      strings that end the generation when they appear in the text (not included)
 * @param logits    logit bias and presence / frequency penalties applied before sampling
 * @param constraint which tokens may come next (structured output), applied after {@code logits}; {@code null} for none
 */
public record GenerationParams(SamplerSettings sampler, int maxTokens, List<String> stop, LogitAdjustments logits,
                               TokenConstraint constraint) {
    public GenerationParams(SamplerSettings sampler, int maxTokens, List<String> stop) {
        this(sampler, maxTokens, stop, LogitAdjustments.NONE);
    }

    public GenerationParams(SamplerSettings sampler, int maxTokens, List<String> stop, LogitAdjustments logits) {
        this(sampler, maxTokens, stop, logits, null);
    }

    /** The same with another constraint. */
    public GenerationParams withConstraint(TokenConstraint c) {
        return new GenerationParams(sampler, maxTokens, stop, logits, c);
    }

    public GenerationParams {
        if (sampler == null) {
            throw new IllegalArgumentException("sampler settings are required");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max tokens must be >= 0 (0 = no limit), got " + maxTokens);
        }
        stop = stop == null ? List.of() : stop.stream().filter(s -> !s.isEmpty()).toList();
        logits = logits == null ? LogitAdjustments.NONE : logits;
    }
}
