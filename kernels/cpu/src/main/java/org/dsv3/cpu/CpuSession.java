package org.dsv3.cpu;

import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SequencePosition;

/** A sequence on the CPU: its latent KV cache and position. */
final class CpuSession implements InferenceSession {
    private final DeepSeekTransformer model;
    private final LatentKvCache cache;
    private final SequencePosition seq;

    CpuSession(DeepSeekTransformer model, LatentKvCache cache) {
        this.model = model;
        this.cache = cache;
        this.seq = new SequencePosition(cache.maxTokens(), model.config().vocabSize());
    }

    @Override
    public int position() {
        return seq.position();
    }

    @Override
    public int maxContext() {
        return seq.maxContext();
    }

    @Override
    public float[] forward(int[] tokens, Logits which) {
        seq.checkForward(tokens);
        float[] logits = model.forward(tokens, seq.position(), cache, which);
        seq.advance(tokens.length);
        return logits;
    }

    @Override
    public void reset() {
        seq.reset();
    }

    @Override
    public void truncate(int newPosition) {
        seq.truncate(newPosition);
    }

    @Override
    public void close() {
        // the cache is garbage once the session is dropped
    }
}
