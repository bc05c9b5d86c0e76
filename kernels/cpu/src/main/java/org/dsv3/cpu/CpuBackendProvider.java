package org.dsv3.cpu;

import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.config.CheckedModel;

/**
 * The {@code cpu} device: pure Java with the Vector API. {@code cpu} and {@code cpu:int8} round
 * decode activations to 8-bit blocks for integer dot products ({@link DotMode#INT8});
 * {@code cpu:exact} keeps them in float32 ({@link DotMode#EXACT}).
 */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void checkDevice(String detail) {
        DotMode.ofDetail(detail);
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        return new CpuBackend(model, options.effectiveThreads(), DotMode.ofDetail(options.device()));
    }
}
