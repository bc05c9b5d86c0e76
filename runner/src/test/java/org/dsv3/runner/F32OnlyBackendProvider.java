package org.dsv3.runner;

import java.util.EnumSet;
import java.util.Set;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.config.CheckedModel;

/**
 * A test backend ({@code --device floatcache}) that keeps only float32 latent caches, as the tornado device does;
 * it runs on the CPU engine.
 */
public final class F32OnlyBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "floatcache";
    }

    @Override
    public Set<KvCacheType> kvCacheTypes() {
        return EnumSet.of(KvCacheType.F32);
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        return Backends.provider("cpu").load(model, options);
    }
}
