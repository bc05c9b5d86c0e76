package org.dsv3.model.backend;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * How a session keeps its state.
 *
 * @param kvCacheType element type of the latent KV cache
 * @param maxContext  most positions the session may hold; 0 = the model's context length. More than the
 *                    model's context length is capped to it. Every backend sizes its sessions with
 *                    {@link #contextLength} and keeps only the cache types it lists in
 *                    {@link InferenceBackend#kvCacheTypes()} (checked by {@link #requireKvCacheType}).
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

    /** The context of {@link #defaults()} (and of the command line's {@code --ctx}). */
    public static final int DEFAULT_CONTEXT = 4096;

    /** An F32 cache of {@value #DEFAULT_CONTEXT} positions (fewer when the model's context is shorter). */
    public static SessionOptions defaults() {
        return new SessionOptions(KvCacheType.F32, DEFAULT_CONTEXT);
    }

    /** The positions a session of {@code config} holds: {@link #maxContext()} capped to the model's context, 0 = the model's. */
    public int contextLength(DeepSeekConfig config) {
        return maxContext > 0 ? Math.min(maxContext, config.contextLength()) : config.contextLength();
    }

    /**
     * Checks that {@code backend} keeps its cache as {@link #kvCacheType()}.
     *
     * @throws IllegalArgumentException naming the types it does keep
     */
    public void requireKvCacheType(InferenceBackend backend) {
        Set<KvCacheType> types = backend.kvCacheTypes();
        if (!types.contains(kvCacheType)) {
            String names = types.stream().map(t -> t.name().toLowerCase(Locale.ROOT)).sorted()
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(backend.device() + " keeps the latent cache in " + names
                    + ", not " + kvCacheType.name().toLowerCase(Locale.ROOT) + "; use --kv-type " + names.split(", ")[0]);
        }
    }

    public SessionOptions withKvCacheType(KvCacheType type) {
        return new SessionOptions(type, maxContext);
    }
}
