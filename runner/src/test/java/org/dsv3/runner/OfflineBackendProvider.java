package org.dsv3.runner;

import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.config.CheckedModel;

/** A test backend ({@code --device offline}) that is installed but cannot run here, like a GPU backend without its GPU. */
public final class OfflineBackendProvider implements BackendProvider {
    static final String REASON = "the offline test device has no hardware";

    @Override
    public String name() {
        return "offline";
    }

    @Override
    public boolean isAvailable() {
        return false;
    }

    @Override
    public String unavailableReason() {
        return REASON;
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        throw new IllegalStateException("never loaded: " + REASON);
    }
}
