package org.dsv3.model.backend;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufModel;

/**
 * A kind of device that can run the model, found with {@link java.util.ServiceLoader} (see
 * {@link Backends}). Implementations register in
 * {@code META-INF/services/org.dsv3.model.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** The name users pick it by, e.g. {@code "cpu"}. */
    String name();

    /** Whether this provider can run here (e.g. a GPU runtime is installed). */
    default boolean isAvailable() {
        return true;
    }

    /** Why {@link #isAvailable()} is false, in one line for the user. */
    default String unavailableReason() {
        return "not available on this machine";
    }

    /**
     * Checks the part of a {@code --device} value after {@code NAME:} ({@link BackendOptions#device()})
     * before any model is read, so that a typo does not cost a load. By default anything is accepted
     * here and {@link #load} decides.
     *
     * @throws IllegalArgumentException naming what the provider accepts
     */
    default void checkDevice(String detail) {
    }

    /**
     * The latent cache types this provider's backends keep ({@link InferenceBackend#kvCacheTypes()}),
     * known before loading so that {@code --kv-type} is checked up front; all of them by default.
     */
    default Set<KvCacheType> kvCacheTypes() {
        return EnumSet.allOf(KvCacheType.class);
    }

    /**
     * The cache type {@code --kv-type auto} picks: by default {@link KvCacheType#preferred} of
     * {@link #kvCacheTypes()} (half precision where kept); a provider whose half-precision cache measured
     * slower overrides it.
     */
    default KvCacheType defaultKvCacheType() {
        return KvCacheType.preferred(kvCacheTypes());
    }

    /** Loads {@code model} (checked once, by {@link ModelValidator#check}); the file must stay open while the backend is in use. */
    InferenceBackend load(CheckedModel model, BackendOptions options);

    /**
     * {@link #load(CheckedModel, BackendOptions)} telling {@code listener} how it goes (stages such as
     * uploading weights to a device). By default nothing is reported.
     */
    default InferenceBackend load(CheckedModel model, BackendOptions options, LoadListener listener) {
        return load(model, options);
    }

    /** Checks {@code model} against {@code config}, then loads it. */
    default InferenceBackend load(GgufModel model, DeepSeekConfig config, BackendOptions options) {
        return load(ModelValidator.check(model, config), options);
    }

    /**
     * The devices this provider can run on here, for {@code dsv3 devices}; empty when it has
     * nothing to say beyond its name (the default).
     */
    default List<DeviceInfo> describeDevices() {
        return List.of();
    }
}
