package org.dsv3.model.sampling;

/**
 * How the next token is chosen from the logits. Temperature 0 means greedy (argmax); otherwise the
 * filters run in llama.cpp's default order: repetition penalty, top-k, top-p, min-p, temperature.
 *
 * @param topK              keep the k most likely tokens (0 = no limit)
 * @param topP              keep the smallest set whose probability reaches p (1 = off)
 * @param minP              drop tokens whose probability is below minP × the top probability (0 = off)
 * @param repeatPenalty     divide positive / multiply negative logits of recent tokens (1 = off)
 * @param repeatLastN       how many recent tokens the penalty looks at
 * @param seed              random seed: the same seed and prompt give the same output
 */
public record SamplerSettings(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN,
                              long seed) {
    public static final SamplerSettings GREEDY = new SamplerSettings(0f, 0, 1f, 0f, 1f, 64, 0);

    public SamplerSettings {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min-p must be in [0, 1], got " + minP);
        }
        if (!(repeatPenalty > 0) || Float.isInfinite(repeatPenalty)) {
            throw new IllegalArgumentException("repeat penalty must be a finite number > 0, got " + repeatPenalty);
        }
        if (repeatLastN < 0) {
            throw new IllegalArgumentException("repeat-last-n must be >= 0, got " + repeatLastN);
        }
    }

    public boolean greedy() {
        return temperature == 0f;
    }
}
