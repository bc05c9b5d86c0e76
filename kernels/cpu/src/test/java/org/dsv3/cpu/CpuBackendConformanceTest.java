package org.dsv3.cpu;

import org.dsv3.model.backend.BackendConformance;

/** The shared backend contract ({@link BackendConformance}) on the CPU backend. */
class CpuBackendConformanceTest extends BackendConformance {
    @Override
    protected String device() {
        return "cpu";
    }

    /** The contract's bounds are those of exact float products; {@code cpu}'s default rounds activations. */
    @Override
    protected String exactDetail() {
        return "exact";
    }
}
