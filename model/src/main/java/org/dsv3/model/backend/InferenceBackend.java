package org.dsv3.model.backend;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * A model loaded on one device, ready to run sessions. Sessions share the weights; each has its own
 * cache. Closing the backend releases its threads and device memory (not the GGUF file, which the
 * caller opened and closes).
 */
public interface InferenceBackend extends AutoCloseable {

    /** The configuration the model was loaded with. */
    DeepSeekConfig config();

    /** A short description of the device, e.g. {@code "cpu (16 threads)"}. */
    String device();

    /**
     * A new session holding {@link SessionOptions#contextLength} positions.
     *
     * @throws IllegalArgumentException when the backend does not keep {@code options.kvCacheType()} (see {@link #kvCacheTypes()})
     */
    InferenceSession newSession(SessionOptions options);

    /** The latent cache types this backend's sessions can keep; all of them by default. */
    default Set<KvCacheType> kvCacheTypes() {
        return EnumSet.allOf(KvCacheType.class);
    }

    /**
     * The device profiler, for {@code dsv3 bench}'s kernel and host time per decoded token; empty (the default) for a
     * backend without one, such as the CPU's, whose time is all host time.
     */
    default Optional<StepProfiler> profiler() {
        return Optional.empty();
    }

    @Override
    void close();
}
