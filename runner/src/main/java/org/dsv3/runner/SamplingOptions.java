package org.dsv3.runner;

import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.sampling.SamplerSettings;
import org.dsv3.runner.generate.GenerationParams;
import picocli.CommandLine.Option;

/** Sampling and stopping options of {@code run} and {@code chat}. */
final class SamplingOptions {
    @Option(names = {"--temperature", "--temp"}, defaultValue = "0.8", paramLabel = "T", description = "0 = greedy (default ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K", description = "0 = off (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P", description = "1 = off (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P", description = "0 = off (default ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "X", description = "1 = off (default ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", paramLabel = "N", description = "tokens the penalty looks back at (default ${DEFAULT-VALUE})")
    int repeatLastN;

    @Option(names = "--seed", paramLabel = "N",
            description = "random seed: the same seed gives the same output (default, or -1: random)")
    Long seed;

    @Option(names = {"-n", "--max-tokens", "--n-predict"}, defaultValue = "0", paramLabel = "N",
            description = "most tokens to generate per answer; 0 or -1 = until the model stops or the context is full (default)")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop when the output contains TEXT (repeatable; not printed)")
    List<String> stop = new ArrayList<>();

    GenerationParams params() {
        if (maxTokens < -1) {
            throw new UserError("--max-tokens must be >= 0 (0 or -1 = no limit), got " + maxTokens);
        }
        long s = seed != null && seed != -1 ? seed : System.nanoTime() ^ Double.doubleToLongBits(Math.random());
        SamplerSettings settings;
        try {
            settings = new SamplerSettings(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return new GenerationParams(settings, Math.max(0, maxTokens), stop);
    }
}
