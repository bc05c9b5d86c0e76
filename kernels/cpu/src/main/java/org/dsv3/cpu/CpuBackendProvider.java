package org.dsv3.cpu;

import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.config.CheckedModel;

/** The {@code cpu} device: pure Java with the Vector API. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        if (!options.device().isEmpty()) {
            throw new IllegalArgumentException("the cpu device takes no detail, got 'cpu:" + options.device() + "'");
        }
        return new CpuBackend(model, options.effectiveThreads());
    }
}
