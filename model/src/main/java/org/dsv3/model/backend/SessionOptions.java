package org.dsv3.model.backend;

/**
 * How a session keeps its state.
 *
 * @param kvCacheType element type of the latent KV cache
 * @param maxContext  most positions the session may hold; 0 = the model's context length
 */
public record SessionOptions(KvCacheType kvCacheType, int maxContext) {

    public SessionOptions {
        if (kvCacheType == null) {
            throw new IllegalArgumentException("kvCacheType is required");
        }
        if (maxContext < 0) {
            throw new IllegalArgumentException("maxContext must be >= 0, got " + maxContext);
        }
    }

    public static SessionOptions defaults() {
        return new SessionOptions(KvCacheType.F32, 0);
    }

    public SessionOptions withKvCacheType(KvCacheType type) {
        return new SessionOptions(type, maxContext);
    }
}
