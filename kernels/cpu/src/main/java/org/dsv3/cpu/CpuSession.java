package org.dsv3.cpu;

import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;

/** A sequence on the CPU: its latent KV cache and position. */
final class CpuSession implements InferenceSession {
    private final DeepSeekTransformer model;
    private final LatentKvCache cache;
    private int position;

    CpuSession(DeepSeekTransformer model, LatentKvCache cache) {
        this.model = model;
        this.cache = cache;
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int maxContext() {
        return cache.maxTokens();
    }

    @Override
    public float[] forward(int[] tokens, Logits which) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to process");
        }
        if ((long) position + tokens.length > cache.maxTokens()) {
            throw new IllegalArgumentException("context full: " + position + " + " + tokens.length
                    + " tokens exceed the limit of " + cache.maxTokens());
        }
        float[] logits = model.forward(tokens, position, cache, which);
        position += tokens.length;
        return logits;
    }

    @Override
    public void reset() {
        position = 0;
    }

    @Override
    public void truncate(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot truncate to " + newPosition + " (position " + position + ")");
        }
        position = newPosition;
    }

    @Override
    public void close() {
        // the cache is garbage once the session is dropped
    }
}
